"""Leads: recipients, canonical cities, moderation and offers (R-LEAD-01..03)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from ppcore.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.application import ApplicantData, submit_application
from status_service.domain.card import CardContent
from status_service.domain.card_moderation import approve_card_change, propose_card_change
from status_service.domain.cities import canonical_city, same_city
from status_service.domain.employees import Actor
from status_service.domain.enums import AccessGroup, LeadDelivery, LeadState, OfferState, Role, SanctionKind
from status_service.domain.events import CardPublished, PartnerApproved
from status_service.domain.leads import (
    LeadCandidate,
    LeadRecipient,
    decline_lead,
    lead_candidate,
    lead_recipients,
    moderate_lead,
    offer_lead,
    partner_city,
    receive_lead,
    take_lead,
)
from status_service.domain.lifecycle import approve_application
from status_service.domain.partner import Partner
from status_service.domain.sanction_effects import apply_sanction
from status_service.domain.sanctions import ActiveSanction
from status_service.domain.staffing import attach_employee

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def candidate(
    pid: str, tier: Tier, city: str, *, eligible: bool = True, takers: tuple[str, ...] = ("x",)
) -> LeadCandidate:
    return LeadCandidate(pid, tier, city, eligible, takers)


def test_gold_gets_every_lead_certified_its_city_business_the_service() -> None:
    """R-LEAD-01: Gold any city; Certified own city; Business access to the service."""
    recipients = lead_recipients(
        [
            candidate("b", Tier.BUSINESS, "Kyiv"),
            candidate("c-kyiv", Tier.CERTIFIED, " kyiv "),
            candidate("c-lviv", Tier.CERTIFIED, "Lviv"),
            candidate("g", Tier.GOLD, "Odesa"),
        ],
        "Kyiv",
    )
    assert [(r.partner_id, r.delivery) for r in recipients] == [
        ("g", LeadDelivery.ANY_CITY),
        ("c-kyiv", LeadDelivery.OWN_CITY),
        ("b", LeadDelivery.SERVICE_ACCESS),
        ("c-lviv", LeadDelivery.SERVICE_ACCESS),
    ]


def test_only_leads_group_employees_take_leads(make_partner: MakePartner) -> None:
    """R-LEAD-02: a partner without a Leads-group login receives nothing."""
    partner = make_partner()
    assert lead_recipients([lead_candidate(partner, date(2026, 3, 2))], "Lviv") == []
    attach_employee(partner, Actor("olena"), "sales", Role.LIMITED, frozenset({AccessGroup.LEADS}), T0)
    [recipient] = lead_recipients([lead_candidate(partner, date(2026, 3, 2))], "Lviv")
    assert recipient.lead_takers == ("sales",)


def test_sanction_disconnects_a_partner_from_leads_for_its_duration(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-LEAD-03, R-SAN-04: disconnected partners are left out until the sanction ends."""
    partner = make_partner()
    attach_employee(partner, Actor("olena"), "sales", Role.FULL, frozenset({AccessGroup.LEADS}), T0)
    sanction = ActiveSanction("s1", SanctionKind.LEADS_DISCONNECTION, date(2026, 3, 2), date(2026, 6, 2))
    apply_sanction(partner, sanction, T0, policy)
    assert lead_recipients([lead_candidate(partner, date(2026, 6, 1))], "Lviv") == []
    assert len(lead_recipients([lead_candidate(partner, date(2026, 6, 2))], "Lviv")) == 1


def test_a_city_is_one_canonical_place_whatever_the_spelling() -> None:
    """R-LEAD-01: Certified partners get "всі заявки на сайт від клієнтів зі свого міста" (2.1),
    so a city compares as a place: "Київ", "м. Київ", "Kyiv" (and the older "Kiev", "Киев")
    are one city, and a Certified partner in "м. Київ" receives a lead from "Kyiv".
    """
    spellings = ("Київ", "м. Київ", "Kyiv", " KYIV ", "Kiev", "г. Киев", "місто Київ", "Київ, Україна")  # noqa: RUF001
    assert {canonical_city(s) for s in spellings} == {"kyiv"}
    assert canonical_city("Львів") == canonical_city("Lviv") == canonical_city("Львов") == "lviv"
    assert canonical_city("Запоріжжя") == "zaporizhzhia"
    assert canonical_city("Івано-Франківськ") == canonical_city("Ivano - Frankivsk")
    assert not same_city("Київ", "Lviv") and not same_city("", "")
    [recipient] = lead_recipients([candidate("c", Tier.CERTIFIED, "м. Київ")], "Kyiv")
    assert recipient.delivery is LeadDelivery.OWN_CITY


def test_the_partner_city_for_leads_is_its_card_office(make_partner: MakePartner) -> None:
    """R-LEAD-01: the partner's city is its card's office once published; the questionnaire's before."""
    partner = make_partner(city="Lviv")
    assert partner_city(partner) == "Lviv"
    partner.card = replace(
        partner.card, published=CardContent(office_address="вул. Хрещатик, 1", office_city="м. Київ")
    )
    assert partner_city(partner) == "м. Київ"
    assert lead_candidate(partner, date(2026, 3, 2)).city == "м. Київ"


def test_a_lead_is_moderated_before_it_is_offered_and_taken_by_a_leads_group_employee(
    make_partner: MakePartner,
) -> None:
    """R-LEAD-01/02: "Після модерації заявки потенційних клієнтів заявки відправляються ...
    Партнера" (7.1): received -> moderated (or rejected with a note) -> offered to the
    entitled partners -> taken by a Leads-group employee (the other offers close) or declined
    by all.
    """
    lead = receive_lead("l1", "м. Київ", "An online shop", T0)
    assert (lead.state, lead.city_key) == (LeadState.RECEIVED, "kyiv")
    with pytest.raises(FailedPrecondition):
        offer_lead(lead, [], T0)  # not moderated yet
    with pytest.raises(InvalidArgument):
        moderate_lead(lead, approve=False, staff_login="anna", note=" ", now=T0)
    moderate_lead(lead, approve=True, staff_login="anna", note="", now=T0)
    assert lead.state is LeadState.MODERATED
    with pytest.raises(FailedPrecondition) as nobody:
        offer_lead(lead, [], T0)
    assert nobody.value.reason == "LEAD_NO_RECIPIENTS"

    kyiv = make_partner("p-kyiv", city="Kyiv")
    attach_employee(kyiv, Actor("olena"), "sales", Role.LIMITED, frozenset({AccessGroup.LEADS}), T0)
    attach_employee(kyiv, Actor("olena"), "dev", Role.FULL, frozenset(), T0)
    other = make_partner("p-other", city="Kyiv")
    attach_employee(other, Actor("olena"), "lead-taker", Role.FULL, frozenset({AccessGroup.LEADS}), T0)
    outsider = make_partner("p-out")
    offer_lead(
        lead,
        [
            LeadRecipient("p-kyiv", Tier.CERTIFIED, LeadDelivery.OWN_CITY, ("sales",)),
            LeadRecipient("p-other", Tier.BUSINESS, LeadDelivery.SERVICE_ACCESS, ("lead-taker",)),
        ],
        T0,
    )
    assert lead.state is LeadState.OFFERED and set(lead.offers) == {"p-kyiv", "p-other"}
    with pytest.raises(PermissionDenied) as not_offered:
        take_lead(lead, outsider, "olena", T0)
    assert not_offered.value.reason == "LEAD_NOT_OFFERED"
    with pytest.raises(PermissionDenied) as not_in_group:
        take_lead(lead, kyiv, "dev", T0)
    assert (not_in_group.value.reason, not_in_group.value.rule) == ("NOT_IN_LEADS_GROUP", "R-LEAD-02")
    take_lead(lead, kyiv, "sales", T0)
    assert (lead.state, lead.taken_by_partner_id, lead.taken_by_login) == (LeadState.TAKEN, "p-kyiv", "sales")
    assert lead.offers["p-other"].state is OfferState.CLOSED
    with pytest.raises(FailedPrecondition):
        decline_lead(lead, other, "lead-taker", T0)

    declined = receive_lead("l2", "Kyiv", "A landing page", T0)
    moderate_lead(declined, approve=True, staff_login="anna", note="", now=T0)
    offer_lead(declined, [LeadRecipient("p-other", Tier.BUSINESS, LeadDelivery.SERVICE_ACCESS, ("lead-taker",))], T0)
    decline_lead(declined, other, "lead-taker", T0)
    assert declined.state is LeadState.DECLINED

    rejected = receive_lead("l3", "Kyiv", "spam", T0)
    moderate_lead(rejected, approve=False, staff_login="anna", note="spam", now=T0)
    assert (rejected.state, rejected.moderation_note) == (LeadState.REJECTED, "spam")


def test_status_events_carry_the_canonical_city_key(
    make_partner: MakePartner, applicant: Callable[..., ApplicantData], policy: ProgramPolicy
) -> None:
    """R-LEAD-01: read models (the gateway's directory) filter by the key status computes, so
    one rule decides what one place is: PartnerApproved has the questionnaire city's key,
    CardPublished the office city's."""
    partner = make_partner(city="м. Київ")
    assert partner_city(partner) == "м. Київ"
    partner.events.clear()
    revision = propose_card_change(partner, Actor("olena"), "r1", CardContent(office_city="Львов"), T0)
    approve_card_change(partner, revision.revision_id, T0)
    published = partner.events[-1]
    assert isinstance(published, CardPublished) and published.city_key == "lviv"
    _, approved_partner = approve_application(submit_application("a2", applicant(city="Kyiv"), T0), "p2", T0, policy)
    approved = next(e for e in approved_partner.events if isinstance(e, PartnerApproved))
    assert approved.city_key == "kyiv"
