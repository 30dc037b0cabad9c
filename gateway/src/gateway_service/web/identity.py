"""Who is signed in to the pages, and the bearer token their calls carry.

The session cookie (signed, never holding a token) remembers the person; every page
request mints a short-lived token for that person with the process's token issuer,
and the web's gRPC channels send it. So the services judge each action by the same
access rules as any other caller: the pages get no extra rights.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ppcore.auth import Caller, CallerKind, PartnerRole, TokenIssuer

_SESSION_KEY = "person"


@dataclass(frozen=True)
class Person:
    kind: CallerKind  # STAFF or PARTNER_USER
    login: str
    name: str
    partner_id: str = ""
    role: str = ""
    groups: tuple[str, ...] = ()

    @property
    def is_staff(self) -> bool:
        return self.kind is CallerKind.STAFF

    @property
    def is_partner_user(self) -> bool:
        return self.kind is CallerKind.PARTNER_USER

    def caller(self) -> Caller:
        return Caller(
            kind=self.kind,
            subject=self.login,
            partner_id=self.partner_id or None,
            role=PartnerRole(self.role) if self.role else None,
            groups=frozenset(self.groups),
        )

    def to_session(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "login": self.login,
            "name": self.name,
            "partner_id": self.partner_id,
            "role": self.role,
            "groups": list(self.groups),
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> Person | None:
        raw = data.get(_SESSION_KEY)
        if not isinstance(raw, dict):
            return None
        try:
            kind = CallerKind(raw["kind"])
        except (KeyError, ValueError):
            return None
        if kind not in (CallerKind.STAFF, CallerKind.PARTNER_USER):
            return None
        return cls(
            kind=kind,
            login=str(raw.get("login", "")),
            name=str(raw.get("name", "")),
            partner_id=str(raw.get("partner_id", "")),
            role=str(raw.get("role", "")),
            groups=tuple(str(g) for g in raw.get("groups", ())),
        )


def sign_in(session: dict[str, Any], person: Person) -> None:
    session.clear()
    session[_SESSION_KEY] = person.to_session()


def sign_out(session: dict[str, Any]) -> None:
    session.clear()


# The token of the person behind the page request being served; the web's channels read it.
_current_token: ContextVar[str] = ContextVar("web_token", default="")


def current_token() -> str:
    return _current_token.get()


def use_token(token: str) -> None:
    _current_token.set(token)


class TokenMinter:
    """Mints the person's token (minutes long) or the web's own system token."""

    def __init__(self, issuer: TokenIssuer, ttl: timedelta = timedelta(minutes=5)) -> None:
        self._issuer = issuer
        self._ttl = ttl

    def for_person(self, person: Person) -> str:
        return self._issuer.mint(person.caller(), self._ttl)

    def for_system(self) -> str:
        return self._issuer.mint(Caller(kind=CallerKind.SYSTEM, subject="gateway-web"), self._ttl)
