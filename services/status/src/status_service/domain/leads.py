"""Site-development leads: moderation, then distribution to the partners entitled to them (R-LEAD-01..03).

7.1: "Після модерації заявки потенційних клієнтів заявки відправляються ... Партнера": a
lead is received, moderated by staff (or rejected), offered to the partners its city and
their status entitle, and taken or declined by a partner's Leads-group employee.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ppcore.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from ppcore.policy import Tier
from status_service.domain.cities import canonical_city, same_city
from status_service.domain.enums import AccessGroup, LeadDelivery, LeadState, OfferState
from status_service.domain.partner import Partner


def partner_city(partner: Partner) -> str:
    """The partner's city for leads: its card's office city, else the questionnaire's (R-LEAD-01)."""
    published = partner.card.published
    if published is not None and published.office_city.strip():
        return published.office_city
    return partner.city


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
    return LeadCandidate(partner.partner_id, partner.status.tier, partner_city(partner), eligible, takers)


@dataclass(frozen=True)
class LeadRecipient:
    partner_id: str
    tier: Tier
    delivery: LeadDelivery
    lead_takers: tuple[str, ...]


def lead_reach(tier: Tier) -> LeadDelivery:
    """The widest delivery a tier gets (R-LEAD-01): Gold every lead, Certified its city's, Business the service."""
    return {
        Tier.GOLD: LeadDelivery.ANY_CITY,
        Tier.CERTIFIED: LeadDelivery.OWN_CITY,
        Tier.BUSINESS: LeadDelivery.SERVICE_ACCESS,
    }[tier]


def lead_delivery(tier: Tier, partner_city: str, lead_city: str) -> LeadDelivery:
    """Gold: every lead; Certified: every lead of its city; otherwise access through the service (R-LEAD-01)."""
    reach = lead_reach(tier)
    if reach is LeadDelivery.OWN_CITY and not same_city(partner_city, lead_city):
        return LeadDelivery.SERVICE_ACCESS
    return reach


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


@dataclass(frozen=True)
class LeadOffer:
    """The lead offered to one partner, and its answer."""

    partner_id: str
    delivery: LeadDelivery
    state: OfferState = OfferState.OPEN
    login: str = ""
    decided_time: datetime | None = None


@dataclass
class Lead:
    lead_id: str
    city: str
    description: str
    received_time: datetime
    state: LeadState = LeadState.RECEIVED
    moderated_by: str = ""
    moderated_time: datetime | None = None
    moderation_note: str = ""
    offered_time: datetime | None = None
    offers: dict[str, LeadOffer] = field(default_factory=dict)
    taken_by_partner_id: str = ""
    taken_by_login: str = ""

    @property
    def city_key(self) -> str:
        """The canonical place (R-LEAD-01): "Київ", "м. Київ" and "Kyiv" are one city."""
        return canonical_city(self.city)


def _require_state(lead: Lead, *allowed: LeadState, action: str) -> None:
    if lead.state not in allowed:
        raise FailedPrecondition(
            reason="LEAD_STATE",
            message=f"lead {lead.lead_id} is {lead.state}; {action} needs {' or '.join(allowed)} (R-LEAD-01)",
            rule="R-LEAD-01",
            metadata={"state": lead.state.value},
        )


def receive_lead(lead_id: str, city: str, description: str, now: datetime) -> Lead:
    """A client's lead arrives from the site, waiting for moderation (R-LEAD-01)."""
    if not canonical_city(city):
        raise InvalidArgument.for_field("city", "is required (R-LEAD-01)", reason="FIELD_REQUIRED", rule="R-LEAD-01")
    if not description.strip():
        raise InvalidArgument.for_field(
            "description", "is required (R-LEAD-01)", reason="FIELD_REQUIRED", rule="R-LEAD-01"
        )
    return Lead(lead_id=lead_id, city=city.strip(), description=description.strip(), received_time=now)


def moderate_lead(lead: Lead, *, approve: bool, staff_login: str, note: str, now: datetime) -> None:
    """Staff moderate a lead before anyone sees it; a rejection says why (R-LEAD-01)."""
    _require_state(lead, LeadState.RECEIVED, action="moderation")
    if not approve and not note.strip():
        raise InvalidArgument.for_field(
            "note", "a rejected lead says why (R-LEAD-01)", reason="FIELD_REQUIRED", rule="R-LEAD-01"
        )
    lead.state = LeadState.MODERATED if approve else LeadState.REJECTED
    lead.moderated_by = staff_login
    lead.moderated_time = now
    lead.moderation_note = note.strip()


def offer_lead(lead: Lead, recipients: Iterable[LeadRecipient], now: datetime) -> None:
    """Distribute a moderated lead to every partner entitled to it (R-LEAD-01..03)."""
    _require_state(lead, LeadState.MODERATED, action="distribution")
    offers = {r.partner_id: LeadOffer(r.partner_id, r.delivery) for r in recipients}
    if not offers:
        raise FailedPrecondition(
            reason="LEAD_NO_RECIPIENTS",
            message=f"lead {lead.lead_id}: no partner may receive a lead in {lead.city} (R-LEAD-01)",
            rule="R-LEAD-01",
        )
    lead.offers = offers
    lead.offered_time = now
    lead.state = LeadState.OFFERED


def _open_offer(lead: Lead, partner_id: str) -> LeadOffer:
    _require_state(lead, LeadState.OFFERED, action="an answer")
    offer = lead.offers.get(partner_id)
    if offer is None:
        raise PermissionDenied(
            reason="LEAD_NOT_OFFERED",
            message=f"lead {lead.lead_id} was not offered to partner {partner_id} (R-LEAD-01)",
            rule="R-LEAD-01",
        )
    if offer.state is not OfferState.OPEN:
        raise FailedPrecondition(
            reason="LEAD_OFFER_ANSWERED",
            message=f"partner {partner_id} already answered lead {lead.lead_id}: {offer.state}",
            rule="R-LEAD-01",
        )
    return offer


def _require_lead_taker(partner: Partner, login: str) -> None:
    employee = partner.roster.get(login)
    if employee is None or AccessGroup.LEADS not in employee.access_groups:
        raise PermissionDenied(
            reason="NOT_IN_LEADS_GROUP",
            message=f"login {login} is not in partner {partner.partner_id}'s Leads group (R-LEAD-02)",
            rule="R-LEAD-02",
        )


def take_lead(lead: Lead, partner: Partner, login: str, now: datetime) -> None:
    """A Leads-group employee of an offered partner takes the lead; the other offers close (R-LEAD-02)."""
    offer = _open_offer(lead, partner.partner_id)
    _require_lead_taker(partner, login)
    lead.offers = {
        pid: (
            replace(o, state=OfferState.TAKEN, login=login, decided_time=now)
            if pid == offer.partner_id
            else (replace(o, state=OfferState.CLOSED, decided_time=now) if o.state is OfferState.OPEN else o)
        )
        for pid, o in lead.offers.items()
    }
    lead.state = LeadState.TAKEN
    lead.taken_by_partner_id = partner.partner_id
    lead.taken_by_login = login


def decline_lead(lead: Lead, partner: Partner, login: str, now: datetime) -> None:
    """An offered partner declines; when every offer is declined the lead is declined."""
    offer = _open_offer(lead, partner.partner_id)
    _require_lead_taker(partner, login)
    lead.offers[offer.partner_id] = replace(offer, state=OfferState.DECLINED, login=login, decided_time=now)
    if all(o.state is OfferState.DECLINED for o in lead.offers.values()):
        lead.state = LeadState.DECLINED
