"""Read models and composed views -> GatewayService protos."""

from __future__ import annotations

from typing import TypeVar

from gateway_service.adapters.backends import NfrHoldings, PointsFigures
from gateway_service.domain.cabinet import CabinetView, Section, SectionOutcome
from gateway_service.domain.listing import ListedPartner
from partnerprogram.gateway.v1 import cabinet_pb2, directory_pb2
from partnerprogram.status.v1 import card_pb2, status_pb2
from ppcore.policy import Tier

T = TypeVar("T")

SECTIONS = {
    Section.STATUS: cabinet_pb2.CABINET_SECTION_STATUS,
    Section.CARD: cabinet_pb2.CABINET_SECTION_CARD,
    Section.POINTS: cabinet_pb2.CABINET_SECTION_POINTS,
    Section.NFR: cabinet_pb2.CABINET_SECTION_NFR,
    Section.SANCTIONS: cabinet_pb2.CABINET_SECTION_SANCTIONS,
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
    return cabinet_pb2.SectionState(
        availability=cabinet_pb2.SECTION_AVAILABILITY_UNAVAILABLE, unavailable_reason=outcome.problem
    )


def _value(outcome: SectionOutcome[object], kind: type[T]) -> T | None:
    return outcome.value if isinstance(outcome.value, kind) else None


def cabinet_to_proto(view: CabinetView) -> cabinet_pb2.PartnerCabinet:
    o = view.outcomes
    cabinet = cabinet_pb2.PartnerCabinet(
        partner_id=view.partner_id,
        partial=view.partial,
        missing_sections=[SECTIONS[section] for section in view.missing],
        status=cabinet_pb2.StatusSection(state=_state(o[Section.STATUS])),
        card=cabinet_pb2.CardSection(state=_state(o[Section.CARD])),
        points=cabinet_pb2.PointsSection(state=_state(o[Section.POINTS])),
        nfr=cabinet_pb2.NfrSection(state=_state(o[Section.NFR])),
        sanctions=cabinet_pb2.SanctionsSection(state=_state(o[Section.SANCTIONS])),
    )
    if (status := _value(o[Section.STATUS], status_pb2.PartnerStatus)) is not None:
        cabinet.status.status.CopyFrom(status)
    if (card := _value(o[Section.CARD], card_pb2.PartnerCard)) is not None:
        cabinet.card.card.CopyFrom(card)
    if (points := _value(o[Section.POINTS], PointsFigures)) is not None:
        cabinet.points.active_points = points.active_points
        cabinet.points.expiring_points = points.expiring_points
        cabinet.points.expiring_within_days = points.within_days
        cabinet.points.expiring_by_date.extend(points.expiring_by_date)
    if (nfr := _value(o[Section.NFR], NfrHoldings)) is not None:
        cabinet.nfr.grants.extend(nfr.grants)
        if nfr.cloud_nfr is not None:
            cabinet.nfr.cloud_nfr.CopyFrom(nfr.cloud_nfr)
    sanctions = o[Section.SANCTIONS].value
    if isinstance(sanctions, list):
        cabinet.sanctions.sanctions.extend(sanctions)
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
