"""Commercial license keys reported by the order system (R-NFR-10 registry)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from licensing_service.domain.editions import EditionCatalogue
from licensing_service.domain.keys import LicenseKey
from licensing_service.domain.verification import KeyFacts, KeyKind
from ppcore.errors import AlreadyExists, InvalidArgument


@dataclass
class CommercialKey:
    """A sold license key: its edition, the client it is registered to, activation and demo flags."""

    key: LicenseKey
    edition: str
    owner_client_id: str
    activated: bool
    demo: bool
    valid_until: date | None
    registered_at: datetime
    updated_at: datetime

    def facts(self) -> KeyFacts:
        return KeyFacts(
            key=self.key,
            kind=KeyKind.COMMERCIAL,
            edition=self.edition,
            owner_id=self.owner_client_id,
            activated=self.activated,
            demo=self.demo,
            revoked=False,
            valid_until=self.valid_until,
        )


def register_commercial_key(
    existing: CommercialKey | None,
    *,
    key_text: str,
    edition: str,
    owner_client_id: str,
    activated: bool,
    demo: bool,
    valid_until: date | None,
    catalogue: EditionCatalogue,
    now: datetime,
    vendor_format: re.Pattern[str] | None = None,
) -> CommercialKey:
    """Record a key reported by the order system, or update the flags of one already recorded.

    The order system reports a key when it is sold and again when it is activated or a
    demo is bought out; the key's edition and owner never change (R-NFR-10: one key, one
    owner), so a report that changes them is refused.
    """
    key = LicenseKey.parse(key_text, field="key", vendor_format=vendor_format)
    catalogue.get(edition, field="edition")
    if not owner_client_id.strip():
        raise InvalidArgument.for_field("owner_client_id", "is required", reason="OWNER_REQUIRED", rule="R-NFR-10")
    if existing is None:
        return CommercialKey(key, edition, owner_client_id, activated, demo, valid_until, now, now)
    if existing.edition != edition or existing.owner_client_id != owner_client_id:
        raise AlreadyExists(
            reason="KEY_ALREADY_REGISTERED",
            message=f"key {key} is registered to another owner or edition (R-NFR-10)",
            rule="R-NFR-10",
        )
    existing.activated = activated
    existing.demo = demo
    existing.valid_until = valid_until
    existing.updated_at = now
    return existing
