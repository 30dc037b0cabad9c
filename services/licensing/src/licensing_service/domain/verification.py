"""Key verification (R-NFR-10): is a key valid, for whom, which edition, until when.

The checks run in one fixed order and the first that fails is the verdict's reason, so
callers (the points service's project check, the product itself) get a stable answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from licensing_service.domain.keys import LicenseKey


class KeyKind(StrEnum):
    """Where a key comes from."""

    COMMERCIAL = "COMMERCIAL"
    NFR_STATUS = "NFR_STATUS"
    NFR_ON_REQUEST = "NFR_ON_REQUEST"


class VerifyReason(StrEnum):
    """Verdict reasons, in the order they are checked; VALID when every check passes."""

    MALFORMED = "MALFORMED"
    UNKNOWN = "UNKNOWN"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    DEMO = "DEMO"
    NOT_ACTIVATED = "NOT_ACTIVATED"
    OWNER_MISMATCH = "OWNER_MISMATCH"
    VALID = "VALID"


@dataclass(frozen=True)
class KeyFacts:
    """What the registry knows about one key, whatever its kind.

    ``owner_id`` is the client a commercial key is registered to, or the partner an NFR
    key was issued to. ``valid_until`` is the last day the key is valid (None: no end).
    """

    key: LicenseKey
    kind: KeyKind
    edition: str
    owner_id: str
    activated: bool
    demo: bool
    revoked: bool
    valid_until: date | None


@dataclass(frozen=True)
class KeyVerdict:
    """The answer to "is this key valid": the reason, plus the facts when the key is known."""

    reason: VerifyReason
    facts: KeyFacts | None = None

    @property
    def valid(self) -> bool:
        return self.reason is VerifyReason.VALID


KeyLookup = Callable[[LicenseKey], KeyFacts | None]


def verify_key(
    text: str,
    lookup: KeyLookup,
    today: date,
    expected_owner_id: str | None = None,
    vendor_format: re.Pattern[str] | None = None,
) -> KeyVerdict:
    """Verify ``text`` as of the Kyiv date ``today`` (R-NFR-10).

    Order: MALFORMED (check part fails, no look-up made), UNKNOWN, REVOKED, EXPIRED,
    DEMO, NOT_ACTIVATED, OWNER_MISMATCH (only when ``expected_owner_id`` is given).
    """
    key = LicenseKey.try_parse(text, vendor_format)
    if key is None:
        return KeyVerdict(VerifyReason.MALFORMED)
    return verdict_of(lookup(key), today, expected_owner_id)


def verdict_of(facts: KeyFacts | None, today: date, expected_owner_id: str | None = None) -> KeyVerdict:
    """The verdict on a well-formed key whose look-up gave ``facts`` (None: not registered)."""
    if facts is None:
        return KeyVerdict(VerifyReason.UNKNOWN)
    return KeyVerdict(_first_failure(facts, today, expected_owner_id), facts)


def _first_failure(facts: KeyFacts, today: date, expected_owner_id: str | None) -> VerifyReason:
    if facts.revoked:
        return VerifyReason.REVOKED
    if facts.valid_until is not None and today > facts.valid_until:
        return VerifyReason.EXPIRED
    if facts.demo:
        return VerifyReason.DEMO
    if not facts.activated:
        return VerifyReason.NOT_ACTIVATED
    if expected_owner_id and facts.owner_id != expected_owner_id:
        return VerifyReason.OWNER_MISMATCH
    return VerifyReason.VALID
