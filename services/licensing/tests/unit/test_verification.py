from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date

import pytest

from licensing_service.domain import KeyFacts, KeyKind, LicenseKey, VerifyReason, verify_key

TODAY = date(2026, 11, 25)


def _facts(**changes: object) -> KeyFacts:
    base = KeyFacts(
        key=LicenseKey.generate(secrets.token_bytes),
        kind=KeyKind.COMMERCIAL,
        edition="SM_BUSINESS",
        owner_id="client-1",
        activated=True,
        demo=False,
        revoked=False,
        valid_until=date(2027, 1, 1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _verify(facts: KeyFacts | None, text: str | None = None, owner: str | None = "client-1"):
    key_text = (
        text if text is not None else (facts.key.value if facts else LicenseKey.generate(secrets.token_bytes).value)
    )
    return verify_key(key_text, lambda _key: facts, TODAY, owner)


def test_valid_key_reports_owner_edition_and_valid_until():
    """R-NFR-10: a valid key says for whom, which edition and until when."""
    facts = _facts()
    verdict = _verify(facts)
    assert verdict.valid
    assert verdict.facts == facts


def test_malformed_key_is_refused_without_a_lookup():
    """R-NFR-10: a bad check part is MALFORMED and the registry is not asked."""
    key = LicenseKey.generate(secrets.token_bytes).value
    typo = ("1" if key[0] != "1" else "2") + key[1:]

    def lookup(_key: LicenseKey) -> KeyFacts | None:
        raise AssertionError("a malformed key must not reach the registry")

    assert verify_key(typo, lookup, TODAY).reason is VerifyReason.MALFORMED


def test_well_formed_key_not_in_registry_is_unknown():
    """R-NFR-10: a well-formed key nobody registered is UNKNOWN, not MALFORMED."""
    assert _verify(None).reason is VerifyReason.UNKNOWN


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"revoked": True, "valid_until": date(2020, 1, 1), "demo": True, "activated": False}, VerifyReason.REVOKED),
        ({"valid_until": date(2026, 11, 24), "demo": True, "activated": False, "owner_id": "x"}, VerifyReason.EXPIRED),
        ({"demo": True, "activated": False, "owner_id": "x"}, VerifyReason.DEMO),
        ({"activated": False, "owner_id": "x"}, VerifyReason.NOT_ACTIVATED),
        ({"owner_id": "client-2"}, VerifyReason.OWNER_MISMATCH),
    ],
)
def test_reasons_are_checked_in_fixed_order(changes: dict[str, object], reason: VerifyReason):
    """R-NFR-10: revoked, expired, demo, not activated, owner mismatch: the first failing wins."""
    assert _verify(_facts(**changes)).reason is reason


def test_key_is_still_valid_on_its_last_valid_day():
    """R-NFR-10: valid_until is the last valid day; the day after it is EXPIRED."""
    assert _verify(_facts(valid_until=TODAY)).valid
    assert _verify(_facts(valid_until=date(2026, 11, 24))).reason is VerifyReason.EXPIRED


def test_owner_is_not_checked_when_no_owner_is_expected():
    """R-NFR-10: the product's own question needs no owner; the points check gives one."""
    assert _verify(_facts(owner_id="someone"), owner=None).valid
