from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import pytest

from licensing_service.domain import (
    EditionCatalogue,
    KeyKind,
    LicenseKey,
    VerifyReason,
    register_commercial_key,
    verify_key,
)
from ppcore.errors import AlreadyExists, InvalidArgument

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def _register(catalogue, existing=None, key=None, **changes):
    fields = {
        "key_text": key or LicenseKey.generate(secrets.token_bytes).value,
        "edition": "SM_STANDARD",
        "owner_client_id": "client-7",
        "activated": False,
        "demo": False,
        "valid_until": None,
        "catalogue": catalogue,
        "now": NOW,
    }
    fields.update(changes)
    return register_commercial_key(existing, **fields)


@pytest.fixture
def catalogue(policy) -> EditionCatalogue:
    return EditionCatalogue(policy.editions)


def test_edition_catalogue_comes_from_the_policy(catalogue, policy):
    """R-POL-01, R-NFR-02: editions, prices and ranks are read from the program policy."""
    assert [e.code for e in catalogue.all()][:2] == ["SM_START", "SM_STANDARD"]
    assert catalogue.price_uah("SM_BUSINESS") == policy.edition("SM_BUSINESS").price_uah  # type: ignore[union-attr]
    assert catalogue.is_lower("SM_START", "SM_BUSINESS")
    assert not catalogue.is_lower("SM_BUSINESS", "B24_BOX_COMPANY")


def test_registered_key_is_verified_with_its_owner_and_edition(catalogue):
    """R-NFR-10: the order system's keys answer the points service's project check."""
    record = _register(catalogue, activated=True)
    facts = record.facts()
    assert facts.kind is KeyKind.COMMERCIAL
    verdict = verify_key(record.key.value, lambda _k: facts, date(2026, 11, 25), "client-7")
    assert verdict.valid
    assert verify_key(record.key.value, lambda _k: facts, date(2026, 11, 25), "client-8").reason is (
        VerifyReason.OWNER_MISMATCH
    )


def test_activation_reported_later_updates_the_same_key(catalogue):
    """R-NFR-10: the order system reports the key again when activated or bought out of demo."""
    record = _register(catalogue, demo=True)
    updated = _register(catalogue, existing=record, key=record.key.value, activated=True, demo=False)
    assert updated is record
    assert (record.activated, record.demo) == (True, False)


def test_key_reported_with_another_owner_is_refused(catalogue):
    """R-NFR-10: a key belongs to one owner and one edition."""
    record = _register(catalogue)
    with pytest.raises(AlreadyExists):
        _register(catalogue, existing=record, key=record.key.value, owner_client_id="client-8")


def test_unknown_edition_or_malformed_key_is_invalid_input(catalogue):
    """R-NFR-10: the registry takes only well-formed keys of catalogue editions."""
    with pytest.raises(InvalidArgument) as refused:
        _register(catalogue, edition="SM_GALACTIC")
    assert refused.value.violations[0].field == "edition"
    with pytest.raises(InvalidArgument) as malformed:
        _register(catalogue, key="NOT-A-KEY")
    assert malformed.value.reason == "KEY_MALFORMED"


VENDOR_KEY = "SMB-UA-4F7K2Q9X1M3B8D"


def test_a_vendor_license_system_key_is_registrable_and_verifiable(catalogue, policy):
    """R-NFR-10, R-PRJ-04: a key of the vendor's license system is recorded in its own format.

    Document 5.4: "Активаційний ключ проекту повинен бути активований та зареєстрований в
    установленому порядку. Ключ - це підстава для нарахування балів." The keys of client
    projects are the vendor's, so the registry takes them in the policy's pattern.
    """
    vendor = policy.license_keys.vendor_key_regex
    record = _register(catalogue, key=" smb-ua-4f7k2q9x1m3b8d ", activated=True, vendor_format=vendor)
    assert record.key.value == VENDOR_KEY
    facts = record.facts()
    verdict = verify_key(
        "smb-ua-4f7k2q9x1m3b8d", lambda key: facts if key == record.key else None, NOW.date(), "client-7", vendor
    )
    assert verdict.reason is VerifyReason.VALID


def test_a_key_of_neither_format_is_malformed(catalogue, policy):
    """R-NFR-10: a text that is neither a suite NFR key nor the vendor pattern is KEY_MALFORMED, named."""
    vendor = policy.license_keys.vendor_key_regex
    with pytest.raises(InvalidArgument) as refused:
        _register(catalogue, key="NOT-A-KEY", vendor_format=vendor)
    assert refused.value.reason == "KEY_MALFORMED" and vendor.pattern in refused.value.message
    assert verify_key("NOT-A-KEY", lambda _k: None, NOW.date(), None, vendor).reason is VerifyReason.MALFORMED
    # Without the vendor format (as before) a vendor key is not a key.
    assert LicenseKey.try_parse(VENDOR_KEY) is None


def test_a_suite_key_stays_a_suite_key_with_the_vendor_format(policy):
    """R-NFR-10: the suite's own format is tried first; its canonical form is unchanged."""
    key = LicenseKey.generate(secrets.token_bytes)
    parsed = LicenseKey.try_parse(key.value.lower().replace("-", ""), policy.license_keys.vendor_key_regex)
    assert parsed == key
