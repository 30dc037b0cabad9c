"""Read models and composed views -> GatewayService protos."""

from __future__ import annotations

from typing import TypeVar

from gateway_service.adapters.backends import (
    DISCOUNT_PRODUCT_FAMILY,
    EmployeeRoster,
    LeadsOffered,
    LetterOutcome,
    NfrHoldings,
    PointsFigures,
    StateCounts,
)
from gateway_service.domain.cabinet import CabinetView, Section, SectionOutcome
from gateway_service.domain.listing import ListedPartner
from gateway_service.service_layer.policy_simulation import RankChange
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.gateway.v1 import cabinet_pb2, directory_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.status.v1 import card_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_service_pb
from ppcore.policy import Tier

T = TypeVar("T")

SECTIONS = {
    Section.STATUS: cabinet_pb2.CABINET_SECTION_STATUS,
    Section.CARD: cabinet_pb2.CABINET_SECTION_CARD,
    Section.POINTS: cabinet_pb2.CABINET_SECTION_POINTS,
    Section.NFR: cabinet_pb2.CABINET_SECTION_NFR,
    Section.SANCTIONS: cabinet_pb2.CABINET_SECTION_SANCTIONS,
    Section.PARTNER: cabinet_pb2.CABINET_SECTION_PARTNER,
    Section.DISCOUNT: cabinet_pb2.CABINET_SECTION_DISCOUNT,
    Section.PROJECTS: cabinet_pb2.CABINET_SECTION_PROJECTS,
    Section.MONITORING: cabinet_pb2.CABINET_SECTION_MONITORING,
    Section.EMPLOYEES: cabinet_pb2.CABINET_SECTION_EMPLOYEES,
    Section.COMPETENCIES: cabinet_pb2.CABINET_SECTION_COMPETENCIES,
    Section.AUTHORIZATION_LETTER: cabinet_pb2.CABINET_SECTION_AUTHORIZATION_LETTER,
    Section.LEADS: cabinet_pb2.CABINET_SECTION_LEADS,
}
TIERS = {
    Tier.BUSINESS: status_pb2.PARTNER_TIER_BUSINESS,
    Tier.CERTIFIED: status_pb2.PARTNER_TIER_CERTIFIED,
    Tier.GOLD: status_pb2.PARTNER_TIER_GOLD,
}
TIERS_FROM_PROTO: dict[int, Tier] = {value: tier for tier, value in TIERS.items()}


def _state(outcome: SectionOutcome[object]) -> cabinet_pb2.SectionState:
    if outcome.available:
        return cabinet_pb2.SectionState(availability=cabinet_pb2.SECTION_AVAILABILITY_AVAILABLE)
    if outcome.forbidden:
        return cabinet_pb2.SectionState(
            availability=cabinet_pb2.SECTION_AVAILABILITY_FORBIDDEN,
            unavailable_reason=outcome.problem,
            rule=outcome.forbidden_by,
        )
    return cabinet_pb2.SectionState(
        availability=cabinet_pb2.SECTION_AVAILABILITY_UNAVAILABLE, unavailable_reason=outcome.problem
    )


def _value(outcome: SectionOutcome[object], kind: type[T]) -> T | None:
    return outcome.value if isinstance(outcome.value, kind) else None


def _counts(counts: StateCounts) -> list[cabinet_pb2.StateCount]:
    return [cabinet_pb2.StateCount(state=state, count=count) for state, count in counts.by_state]


def cabinet_to_proto(view: CabinetView) -> cabinet_pb2.PartnerCabinet:
    o = view.outcomes
    cabinet = cabinet_pb2.PartnerCabinet(
        partner_id=view.partner_id,
        partial=view.partial,
        missing_sections=[SECTIONS[section] for section in view.missing],
        forbidden_sections=[SECTIONS[section] for section in view.forbidden],
        status=cabinet_pb2.StatusSection(state=_state(o[Section.STATUS])),
        card=cabinet_pb2.CardSection(state=_state(o[Section.CARD])),
        points=cabinet_pb2.PointsSection(state=_state(o[Section.POINTS])),
        nfr=cabinet_pb2.NfrSection(state=_state(o[Section.NFR])),
        sanctions=cabinet_pb2.SanctionsSection(state=_state(o[Section.SANCTIONS])),
        partner=cabinet_pb2.PartnerSection(state=_state(o[Section.PARTNER])),
        discount=cabinet_pb2.DiscountSection(state=_state(o[Section.DISCOUNT])),
        projects=cabinet_pb2.ProjectsSection(state=_state(o[Section.PROJECTS])),
        monitoring=cabinet_pb2.MonitoringSection(state=_state(o[Section.MONITORING])),
        employees=cabinet_pb2.EmployeesSection(state=_state(o[Section.EMPLOYEES])),
        competencies=cabinet_pb2.CompetenciesSection(state=_state(o[Section.COMPETENCIES])),
        authorization_letter=cabinet_pb2.AuthorizationLetterSection(state=_state(o[Section.AUTHORIZATION_LETTER])),
        leads=cabinet_pb2.LeadsSection(state=_state(o[Section.LEADS])),
    )
    if (status := _value(o[Section.STATUS], status_pb2.PartnerStatus)) is not None:
        cabinet.status.status.CopyFrom(status)
        # R-CARD-04: one active-points figure, the points section's daily total with its date.
        cabinet.status.status.ClearField("active_points")
    if (card := _value(o[Section.CARD], card_pb2.PartnerCard)) is not None:
        cabinet.card.card.CopyFrom(card)
    if (points := _value(o[Section.POINTS], PointsFigures)) is not None:
        cabinet.points.active_points = points.active_points
        cabinet.points.expiring_points = points.expiring_points
        cabinet.points.expiring_within_days = points.within_days
        cabinet.points.expiring_by_date.extend(points.expiring_by_date)
        cabinet.points.active_points_as_of_date = points.active_points_as_of_date
        cabinet.points.expiring_in_30_days_points = points.expiring_in_30_days
        cabinet.points.expiring_in_90_days_points = points.expiring_in_90_days
        if points.point_requests is not None:
            cabinet.points.point_requests.extend(points.point_requests.items)
            cabinet.points.point_requests_by_state.extend(_counts(points.point_requests))
    if (nfr := _value(o[Section.NFR], NfrHoldings)) is not None:
        cabinet.nfr.grants.extend(nfr.grants)
        if nfr.cloud_nfr is not None:
            cabinet.nfr.cloud_nfr.CopyFrom(nfr.cloud_nfr)
    sanctions = o[Section.SANCTIONS].value
    if isinstance(sanctions, list):
        cabinet.sanctions.sanctions.extend(sanctions)
    if (partner := _value(o[Section.PARTNER], partner_pb2.Partner)) is not None:
        cabinet.partner.partner.CopyFrom(partner)
        cabinet.partner.partner.ClearField("active_points")  # the one figure is the points section's
    if (letter := _value(o[Section.AUTHORIZATION_LETTER], LetterOutcome)) is not None:
        if letter.letter is not None:
            cabinet.authorization_letter.letter.CopyFrom(letter.letter)
        cabinet.authorization_letter.no_letter_reason = letter.no_letter_reason
    if (discount := _value(o[Section.DISCOUNT], status_service_pb.CheckDiscountEntitlementResponse)) is not None:
        cabinet.discount.product_family = DISCOUNT_PRODUCT_FAMILY
        cabinet.discount.allowed = discount.allowed
        cabinet.discount.discount_percent = discount.discount_percent
        cabinet.discount.reason = discount.reason
        cabinet.discount.blocked_until_date = discount.blocked_until_date
    if (projects := _value(o[Section.PROJECTS], StateCounts)) is not None:
        cabinet.projects.projects.extend(projects.items)
        cabinet.projects.projects_by_state.extend(_counts(projects))
    if (monitoring := _value(o[Section.MONITORING], StateCounts)) is not None:
        cabinet.monitoring.submissions.extend(monitoring.items)
        cabinet.monitoring.submissions_by_state.extend(_counts(monitoring))
    if (roster := _value(o[Section.EMPLOYEES], EmployeeRoster)) is not None:
        cabinet.employees.employees.extend(roster.employees)
        cabinet.employees.certified_count = roster.certified_count
    if (leads := _value(o[Section.LEADS], LeadsOffered)) is not None:
        cabinet.leads.leads.extend(leads.leads.items)
        cabinet.leads.leads_by_state.extend(_counts(leads.leads))
    competencies = o[Section.COMPETENCIES].value
    if isinstance(competencies, list):
        cabinet.competencies.competencies.extend(competencies)
    return cabinet


def listed_to_proto(partner: ListedPartner, rank: int) -> directory_pb2.DirectoryEntry:
    return directory_pb2.DirectoryEntry(
        rank=rank,
        partner_id=partner.partner_id,
        company_name=partner.company_name,
        city=partner.city,
        tier=TIERS[Tier(partner.tier)] if partner.tier else status_pb2.PARTNER_TIER_UNSPECIFIED,
        competency_codes=list(partner.competency_codes),
        description=partner.description,
        logo_ref=partner.logo_ref,
        phone=partner.phone,
        office_address=partner.office_address,
        website_url=partner.website_url,
        score=partner.score,
        projects=partner.projects,
        monitored_projects=partner.monitored_projects,
        marketing_activity=partner.marketing_activity,
        certified_employees=partner.certified_employees,
        active_points=format(partner.active_points.normalize(), "f"),
        listed_as_violator=partner.listed_as_violator,
    )


def price_verdict(answer: compliance_pb.CheckResalePriceResponse) -> gateway_pb.PriceVerdict:
    """R-PRC-01/02: the compliance verdict with its reason code."""
    if not answer.allowed:
        reason = gateway_pb.PRICE_VERDICT_REASON_BELOW_LIST
    elif answer.agreed_discount_id:
        reason = gateway_pb.PRICE_VERDICT_REASON_AGREED_DISCOUNT
    else:
        reason = gateway_pb.PRICE_VERDICT_REASON_AT_OR_ABOVE_LIST
    return gateway_pb.PriceVerdict(
        allowed=answer.allowed,
        reason=reason,
        list_price_uah=answer.list_price_uah,
        dumping_case_id=answer.dumping_case_id,
        agreed_discount_id=answer.agreed_discount_id,
        policy_version=answer.policy_version,
    )


def directory_rank_pb(rank: RankChange) -> gateway_pb.DirectoryRank:
    return gateway_pb.DirectoryRank(
        partner_id=rank.partner_id,
        company_name=rank.company_name,
        rank_in_force=rank.rank_in_force,
        rank_candidate=rank.rank_candidate,
    )
