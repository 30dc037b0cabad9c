"""Masking of personal data by the caller's role, and the legal bases it is held on (R-PD-01)."""

from __future__ import annotations

from ppcore.auth import Caller, CallerKind, PartnerRole
from ppcore.personal_data import (
    PERSONAL_DATA_GROUP,
    LegalBasis,
    mask_email,
    mask_phone,
    mask_text,
    may_see_contacts_of,
    may_see_personal_data,
)


def test_only_staff_whose_role_needs_it_see_personal_data() -> None:
    """R-PD-01: contacts are shown only to those entitled to them: staff in the PERSONAL_DATA group.

    Annex 1, p.4: "Сторони гарантують забезпечення конфіденційності і безпеки персональних
    даних, що передаються один одному".
    """  # noqa: RUF002
    assert may_see_personal_data(Caller(CallerKind.STAFF, "staff:dpo", groups=frozenset({PERSONAL_DATA_GROUP})))
    assert not may_see_personal_data(Caller(CallerKind.STAFF, "staff:moderator"))
    assert not may_see_personal_data(
        Caller(CallerKind.SYSTEM, "system:gateway", groups=frozenset({PERSONAL_DATA_GROUP}))
    )
    partner = Caller(CallerKind.PARTNER_USER, "login:x", "p1", PartnerRole.MAIN, frozenset({PERSONAL_DATA_GROUP}))
    assert not may_see_personal_data(partner)


def test_a_partner_sees_its_own_contacts_whole_and_no_one_elses() -> None:
    """R-PD-01: a partner's card phone, employees and client contacts are shown whole to staff in the
    PERSONAL_DATA group and to that partner's own logins; other staff, other partners and systems
    (the gateway) see masks."""
    dpo = Caller(CallerKind.STAFF, "staff:dpo", groups=frozenset({PERSONAL_DATA_GROUP}))
    own = Caller(CallerKind.PARTNER_USER, "login:a", "p1", PartnerRole.LIMITED)
    assert may_see_contacts_of(dpo, "p1") and may_see_contacts_of(own, "p1")
    assert not may_see_contacts_of(own, "p2")
    assert not may_see_contacts_of(own, "")
    assert not may_see_contacts_of(Caller(CallerKind.STAFF, "staff:moderator"), "p1")
    assert not may_see_contacts_of(Caller(CallerKind.SYSTEM, "system:gateway", partner_id="p1"), "p1")


def test_a_mask_tells_records_apart_without_naming_the_person() -> None:
    """R-PD-01: the mask keeps the first character, the e-mail domain and the phone's last two digits."""
    assert mask_email("olena.koval@example.ua") == "o**********@example.ua"
    assert mask_phone("+380671234567") == "+**********67"
    assert mask_text("olena") == "o****"
    assert (mask_text(""), mask_email(""), mask_phone("")) == ("", "", "")
    assert mask_text("x") == "x*"


def test_the_legal_bases_are_the_annex_purposes_and_consent() -> None:
    """R-PD-01: data is held only with a legal basis: the annex's purposes 2.1..2.6 and the consent."""
    assert len(LegalBasis) == 7 and LegalBasis.CONSENT in LegalBasis and LegalBasis.LEGAL_OBLIGATION in LegalBasis
