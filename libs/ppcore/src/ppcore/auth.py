"""Who is calling: signed JWT bearer tokens, callers, and per-RPC access rules.

Every call carries ``authorization: Bearer <jwt>``. The token names the caller: a
program-staff user, an internal system, the sales platform, or a partner user with
partner id, employee role (R-EMP-01..04) and access groups (R-EMP-05). Each RPC
declares who may call it in an access table; anything not declared is denied.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt

from ppcore.clock import Clock
from ppcore.errors import PermissionDenied, Unauthenticated


class CallerKind(StrEnum):
    STAFF = "staff"  # program staff (moderators, partner department)
    SYSTEM = "system"  # an internal system or another service of the suite
    SALES_PLATFORM = "sales_platform"  # checkout: discount and price checks
    PARTNER_USER = "partner_user"  # a login attached to a partner card
    ANONYMOUS = "anonymous"  # no token: only public RPCs


class PartnerRole(StrEnum):
    MAIN = "MAIN"
    FULL = "FULL"
    LIMITED = "LIMITED"
    CERTIFIED_SPECIALIST = "CERTIFIED_SPECIALIST"


ALL_ROLES = frozenset(PartnerRole)


@dataclass(frozen=True)
class Caller:
    kind: CallerKind
    subject: str
    partner_id: str | None = None
    role: PartnerRole | None = None
    groups: frozenset[str] = frozenset()

    @property
    def is_partner_user(self) -> bool:
        return self.kind is CallerKind.PARTNER_USER


ANONYMOUS = Caller(kind=CallerKind.ANONYMOUS, subject="")

_current_caller: ContextVar[Caller] = ContextVar("caller", default=ANONYMOUS)


def current_caller() -> Caller:
    return _current_caller.get()


def set_current_caller(caller: Caller) -> None:
    _current_caller.set(caller)


ON_BEHALF_OF = "x-on-behalf-of"
"""Metadata of a system's call made for an end user: that user's own bearer token.

The gateway calls the backends as itself (a system caller, whose access rules apply), and
passes the person it serves in this header. The backend verifies that token like any other
and shows personal data as that person may see it (R-PD-01); access is never widened by it.
"""

_current_viewer: ContextVar[Caller | None] = ContextVar("viewer", default=None)
_current_token: ContextVar[str] = ContextVar("token", default="")


def current_viewer() -> Caller:
    """Whom the answer is shown to: the end user a system calls for, else the caller itself."""
    return _current_viewer.get() or _current_caller.get()


def set_current_viewer(viewer: Caller | None) -> None:
    _current_viewer.set(viewer)


def set_current_token(token: str) -> None:
    """The raw bearer token of the call being served (set by the server)."""
    _current_token.set(token)


def on_behalf_of() -> tuple[tuple[str, str], ...]:
    """Metadata for a call made while serving an end user: that user's token, so the callee
    shows data as the user may see it. Nothing when the current caller is a system or anonymous."""
    caller = _current_caller.get()
    token = _current_token.get()
    if not token or caller.kind in (CallerKind.SYSTEM, CallerKind.ANONYMOUS):
        return ()
    return ((ON_BEHALF_OF, token),)


@dataclass(frozen=True)
class Allow:
    """Who may call one RPC. Partner users additionally need one of ``partner_roles``."""

    kinds: frozenset[CallerKind]
    partner_roles: frozenset[PartnerRole] = field(default=ALL_ROLES)

    @classmethod
    def of(cls, *kinds: CallerKind, partner_roles: Iterable[PartnerRole] | None = None) -> Allow:
        return cls(frozenset(kinds), frozenset(partner_roles) if partner_roles is not None else ALL_ROLES)

    @classmethod
    def public(cls) -> Allow:
        return cls(frozenset(CallerKind))

    def permits(self, caller: Caller) -> bool:
        if caller.kind not in self.kinds:
            return False
        if caller.kind is CallerKind.PARTNER_USER:
            return caller.role is not None and caller.role in self.partner_roles
        return True


AccessTable = Mapping[str, Allow]  # RPC short name -> rule


def require_partner_scope(caller: Caller, partner_id: str) -> None:
    """A partner user may act only on its own partner; others are not limited here."""
    if caller.kind is CallerKind.PARTNER_USER and caller.partner_id != partner_id:
        raise PermissionDenied(
            reason="OTHER_PARTNER",
            message=f"partner_id: this login belongs to partner {caller.partner_id}, not {partner_id}",
        )


def _read(path: Path | None) -> str | None:
    return path.read_text(encoding="utf-8") if path else None


DEFAULT_MAX_LIFETIMES: Mapping[str, int] = {
    CallerKind.STAFF.value: 12 * 3600,
    CallerKind.PARTNER_USER.value: 12 * 3600,
    CallerKind.SALES_PLATFORM.value: 24 * 3600,
    CallerKind.SYSTEM.value: 24 * 3600,
}
"""Longest accepted token lifetime (``exp - iat``, seconds) per caller kind (issue 12)."""


class TokenVerifier:
    def __init__(
        self,
        *,
        algorithm: str,
        secret: str | None = None,
        public_key_file: Path | None = None,
        public_keys_dir: Path | None = None,
        issuer: str,
        audience: str,
        cache_size: int = 4096,
        now: Callable[[], float] = time.time,
        max_lifetimes: Mapping[str, int] = DEFAULT_MAX_LIFETIMES,
    ) -> None:
        self._max_lifetimes = dict(max_lifetimes)
        self._algorithm = algorithm
        # Verified tokens by their raw text -> (caller, exp): decoding and checking a
        # signature costs more than the rest of a small call, and callers reuse a token
        # for its whole life. Bounded LRU; an entry is never used at or after its exp.
        self._cache: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        self._cache_size = cache_size
        self._now = now
        # One key per issuer: <issuer>.pem in public_keys_dir (key pairs only).
        self._issuer_keys = (
            {path.stem: path.read_text(encoding="utf-8") for path in sorted(public_keys_dir.glob("*.pem"))}
            if public_keys_dir is not None and algorithm != "HS256"
            else {}
        )
        key = secret if algorithm == "HS256" else _read(public_key_file)
        if not key and not self._issuer_keys:
            raise ValueError("no verification key configured")
        self._key: str = key or ""
        self._issuer = issuer
        self._audience = audience

    def _key_for(self, token: str) -> tuple[str, str]:
        """The key and expected issuer for a token: by its (not yet trusted) ``iss`` claim
        when each issuer has a key of its own; the signature check then proves it."""
        if not self._issuer_keys:
            return self._key, self._issuer
        try:
            claimed = str(jwt.decode(token, options={"verify_signature": False}).get("iss", ""))
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(reason="TOKEN_INVALID", message=f"authorization: invalid token ({exc})") from exc
        key = self._issuer_keys.get(claimed)
        if key is None:
            raise Unauthenticated(reason="TOKEN_INVALID", message="authorization: unknown token issuer")
        return key, claimed

    def verify(self, token: str) -> Caller:
        cached = self._cache.get(token)
        if cached is not None:
            if self._now() < cached[1]:
                self._cache.move_to_end(token)
                return cached[0]
            del self._cache[token]  # expired: the full check below refuses it
        caller, expires = self._verify_uncached(token)
        if self._cache_size > 0:
            self._cache[token] = (caller, expires)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return caller

    def _verify_uncached(self, token: str) -> tuple[Caller, float]:
        key, issuer = self._key_for(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=issuer,
                options={"require": ["exp", "iat", "sub", "kind"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated(reason="TOKEN_EXPIRED", message="authorization: the token has expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(reason="TOKEN_INVALID", message=f"authorization: invalid token ({exc})") from exc
        caller = caller_from_claims(claims)
        self._check_lifetime(caller.kind, claims)
        return caller, float(claims["exp"])

    def _check_lifetime(self, kind: CallerKind, claims: Mapping[str, Any]) -> None:
        """A stolen long-lived token must not open the suite for years: exp - iat is capped per kind."""
        cap = self._max_lifetimes.get(kind.value, 0)
        try:
            lifetime = int(claims["exp"]) - int(claims["iat"])
        except (TypeError, ValueError):
            lifetime = -1
        if not 0 < lifetime <= cap:
            raise Unauthenticated(
                reason="TOKEN_LIFETIME_INVALID",
                message=f"authorization: a {kind.value} token may live at most {cap} s (exp - iat), got {lifetime} s",
            )


def caller_from_claims(claims: Mapping[str, Any]) -> Caller:
    try:
        kind = CallerKind(claims["kind"])
    except ValueError as exc:
        raise Unauthenticated(reason="TOKEN_INVALID", message="authorization: unknown caller kind") from exc
    if kind is CallerKind.ANONYMOUS:
        raise Unauthenticated(reason="TOKEN_INVALID", message="authorization: anonymous tokens are not issued")
    role: PartnerRole | None = None
    partner_id = claims.get("partner_id") or None
    if kind is CallerKind.PARTNER_USER:
        try:
            role = PartnerRole(claims.get("role", ""))
        except ValueError as exc:
            raise Unauthenticated(
                reason="TOKEN_INVALID", message="authorization: partner user without a valid role"
            ) from exc
        if not partner_id:
            raise Unauthenticated(reason="TOKEN_INVALID", message="authorization: partner user without partner_id")
    return Caller(
        kind=kind,
        subject=str(claims["sub"]),
        partner_id=partner_id,
        role=role,
        groups=frozenset(claims.get("groups", ())),
    )


class TokenIssuer:
    """Mints tokens: for the local CLI, for tests, and for service-to-service calls."""

    def __init__(
        self,
        *,
        algorithm: str,
        clock: Clock,
        secret: str | None = None,
        private_key_file: Path | None = None,
        issuer: str,
        audience: str,
    ) -> None:
        key = secret if algorithm == "HS256" else _read(private_key_file)
        if not key:
            raise ValueError("no signing key configured")
        self._key: str = key
        self._algorithm = algorithm
        self._clock = clock
        self._issuer = issuer
        self._audience = audience

    def mint(self, caller: Caller, ttl: timedelta = timedelta(hours=1)) -> str:
        now = self._clock.now()
        claims: dict[str, Any] = {
            "sub": caller.subject,
            "kind": caller.kind.value,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        if caller.partner_id:
            claims["partner_id"] = caller.partner_id
        if caller.role:
            claims["role"] = caller.role.value
        if caller.groups:
            claims["groups"] = sorted(caller.groups)
        return jwt.encode(claims, self._key, algorithm=self._algorithm)


def authorize(access: AccessTable, method: str, caller: Caller) -> None:
    """Deny by default: an RPC missing from the table is refused to everyone."""
    rule = access.get(method)
    if rule is None or not rule.permits(caller):
        if caller.kind is CallerKind.ANONYMOUS:
            raise Unauthenticated(reason="TOKEN_MISSING", message="authorization: a bearer token is required")
        raise PermissionDenied(
            reason="CALLER_NOT_ALLOWED",
            message=f"{caller.kind.value}"
            + (f" ({caller.role.value})" if caller.role else "")
            + f" may not call {method}",
        )
