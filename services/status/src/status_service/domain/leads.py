"""Who receives a site-development lead, and why (R-LEAD-01..03)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ppcore.policy import Tier
from status_service.domain.enums import AccessGroup, LeadDelivery
from status_service.domain.partner import Partner


@dataclass(frozen=True)
class LeadCandidate:
    partner_id: str
    tier: Tier
    city: str
    eligible: bool
    # Logins in the Leads group: the only ones who take leads and send offers (R-LEAD-02).
    lead_takers: tuple[str, ...]


def lead_candidate(partner: Partner, today: date) -> LeadCandidate:
    restrictions = partner.restrictions(today)
    eligible = not (partner.is_terminated(today) or restrictions.leads_disconnected)  # R-LEAD-03
    takers = tuple(sorted(e.login for e in partner.roster.employees.values() if AccessGroup.LEADS in e.access_groups))
    return LeadCandidate(partner.partner_id, partner.status.tier, partner.city, eligible, takers)


@dataclass(frozen=True)
class LeadRecipient:
    partner_id: str
    tier: Tier
    delivery: LeadDelivery
    lead_takers: tuple[str, ...]


def _same_city(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def lead_delivery(tier: Tier, partner_city: str, lead_city: str) -> LeadDelivery:
    """Gold: every lead; Certified: every lead of its city; otherwise access through the service (R-LEAD-01)."""
    if tier is Tier.GOLD:
        return LeadDelivery.ANY_CITY
    if tier is Tier.CERTIFIED and _same_city(partner_city, lead_city):
        return LeadDelivery.OWN_CITY
    return LeadDelivery.SERVICE_ACCESS


_DELIVERY_ORDER = {LeadDelivery.ANY_CITY: 0, LeadDelivery.OWN_CITY: 1, LeadDelivery.SERVICE_ACCESS: 2}


def lead_recipients(candidates: Iterable[LeadCandidate], lead_city: str) -> list[LeadRecipient]:
    """Partners that may receive a moderated lead in ``lead_city``, those it is pushed to first.

    Disconnected or terminated partners are left out (R-LEAD-03), and so are partners with
    nobody in the Leads group to take it (R-LEAD-02).
    """
    recipients = [
        LeadRecipient(c.partner_id, c.tier, lead_delivery(c.tier, c.city, lead_city), c.lead_takers)
        for c in candidates
        if c.eligible and c.lead_takers
    ]
    return sorted(recipients, key=lambda r: (_DELIVERY_ORDER[r.delivery], r.partner_id))
