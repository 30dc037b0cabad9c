"""Lead recipients (R-LEAD-01..03)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.employees import Actor
from status_service.domain.enums import AccessGroup, LeadDelivery, Role, SanctionKind
from status_service.domain.leads import LeadCandidate, lead_candidate, lead_recipients
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
