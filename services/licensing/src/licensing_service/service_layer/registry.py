"""Commercial keys (R-NFR-10): recording what the order system reports, and verifying any key."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import (
    CommercialKey,
    EditionCatalogue,
    KeyFacts,
    KeyVerdict,
    LicenseKey,
    VerifyReason,
    register_commercial_key,
    verdict_of,
)
from licensing_service.service_layer.context import Toolkit

FactsLookup = Callable[[LicenseKey], Awaitable[KeyFacts | None]]


async def register_license_key(
    uow: LicensingUnitOfWork,
    tools: Toolkit,
    *,
    key_text: str,
    edition: str,
    owner_client_id: str,
    activated: bool,
    demo: bool,
    valid_until: date | None,
) -> CommercialKey:
    vendor_format = tools.policy.license_keys.vendor_key_regex
    key = LicenseKey.parse(key_text, field="key", vendor_format=vendor_format)
    existing = await uow.commercial_keys.get(key)
    recorded = register_commercial_key(
        existing,
        key_text=key_text,
        edition=edition,
        owner_client_id=owner_client_id,
        activated=activated,
        demo=demo,
        valid_until=valid_until,
        catalogue=EditionCatalogue(tools.policy.editions),
        now=tools.now(),
        vendor_format=vendor_format,
    )
    await uow.commercial_keys.save(recorded)
    return recorded


async def verify(
    lookup: FactsLookup,
    key_text: str,
    today: date,
    expected_owner_id: str = "",
    vendor_format: re.Pattern[str] | None = None,
) -> KeyVerdict:
    """R-NFR-10: a malformed key is answered without a look-up; otherwise one look-up.

    A key of the vendor's license-system format (policy pattern) is looked up like a suite key.
    """
    key = LicenseKey.try_parse(key_text, vendor_format)
    if key is None:
        return KeyVerdict(VerifyReason.MALFORMED)
    return verdict_of(await lookup(key), today, expected_owner_id or None)
