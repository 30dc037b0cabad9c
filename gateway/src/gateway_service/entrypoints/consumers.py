"""Event consumers that build the directory read model (R-CARD-01/03, R-CMP-04, R-SAN-05/06/07, R-PD-03).

Status: partners, tiers, published cards, badges, logins and certificates, terminations.
Points: daily active totals, approved projects, completed monitoring, decided requests.
Compliance: the sanctions the gateway enforces or shows, and personal-data erasure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.listing import (
    ListingSanction,
    RankingItemKind,
    SanctionPeriod,
    counts_as_marketing,
    parse_points,
)
from gateway_service.entrypoints.mapping import TIERS_FROM_PROTO
from gateway_service.service_layer import directory_projection as projection
from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import card_pb2
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.bus import EventBus
from ppcore.consumer import EventConsumer, Route, Subscription
from ppcore.errors import InvalidArgument
from ppcore.policy import Tier

U = GatewayUnitOfWork
_SANCTION_KINDS = {
    sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION: ListingSanction.PUBLIC_LIST_EXCLUSION,
    sanction_pb2.SANCTION_KIND_VIOLATORS_LIST: ListingSanction.VIOLATORS_LIST,
    sanction_pb2.SANCTION_KIND_CABINET_BLOCK: ListingSanction.CABINET_BLOCK,
}
_CARD_ITEM_PREFIX = "CARD_ITEM_"


def _tier(value: int, field: str) -> Tier:
    tier = TIERS_FROM_PROTO.get(value)
    if tier is None:
        raise InvalidArgument.for_field(field, f"{value} is not a partner status")
    return tier


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument.for_field(field, f"{text!r} is not an ISO date") from None


# --- status -------------------------------------------------------------------------------


async def on_partner_approved(uow: U, _: EventEnvelope, event: status_events.PartnerApproved) -> None:
    await projection.partner_approved(
        uow, event.partner_id, event.company_name, event.city, _tier(event.tier or 1, "tier"), event.city_key
    )


async def on_status_changed(uow: U, _: EventEnvelope, event: status_events.StatusChanged) -> None:
    await projection.tier_changed(uow, event.partner_id, _tier(event.to_tier, "to_tier"))


async def on_status_confirmed(uow: U, _: EventEnvelope, event: status_events.StatusConfirmed) -> None:
    await projection.tier_changed(uow, event.partner_id, _tier(event.tier, "tier"))


async def on_card_published(uow: U, _: EventEnvelope, event: status_events.CardPublished) -> None:
    content = event.content
    missing = tuple(
        card_pb2.CardItem.Name(item).removeprefix(_CARD_ITEM_PREFIX) for item in event.eligibility.missing_items
    )
    card = projection.PublishedCard(
        description=content.description,
        logo_ref=content.logo_ref,
        phone=content.phone,
        office_address=content.office_address,
        website_url=content.website_url,
        eligible=event.eligibility.eligible,
        missing_items=missing,
        office_city=content.office_city,
        city_key=event.city_key,
    )
    await projection.card_published(uow, event.partner_id, card)


async def on_competency_granted(uow: U, _: EventEnvelope, event: status_events.CompetencyGranted) -> None:
    await projection.competency_changed(uow, event.partner_id, event.code, granted=True)


async def on_competency_revoked(uow: U, _: EventEnvelope, event: status_events.CompetencyRevoked) -> None:
    await projection.competency_changed(uow, event.partner_id, event.code, granted=False)


async def on_partner_terminated(uow: U, _: EventEnvelope, event: status_events.PartnerTerminated) -> None:
    await projection.partner_terminated(uow, event.partner_id)


async def on_employee_attached(uow: U, _: EventEnvelope, event: status_events.EmployeeAttached) -> None:
    await projection.login_attached(uow, event.partner_id, event.login)


async def on_employee_detached(uow: U, _: EventEnvelope, event: status_events.EmployeeDetached) -> None:
    await projection.login_detached(uow, event.partner_id, event.login)


async def on_main_user_changed(uow: U, _: EventEnvelope, event: status_events.MainUserChanged) -> None:
    # The previous main user stays attached unless a detachment says otherwise.
    await projection.login_attached(uow, event.partner_id, event.new_login)


async def on_certificate_recorded(uow: U, _: EventEnvelope, event: status_events.CertificateRecorded) -> None:
    await projection.certificate_changed(uow, event.certificate_id, event.login, event.course_code, revoked=False)


async def on_certificate_revoked(uow: U, _: EventEnvelope, event: status_events.CertificateRevoked) -> None:
    await projection.certificate_changed(uow, event.certificate_id, event.login, event.course_code, revoked=True)


# --- points -------------------------------------------------------------------------------


async def on_active_total_changed(uow: U, _: EventEnvelope, event: points_events.ActiveTotalChanged) -> None:
    await projection.active_total_changed(uow, event.partner_id, parse_points(event.total_points))


async def on_project_approved(uow: U, _: EventEnvelope, event: points_events.ProjectApproved) -> None:
    await projection.item_counted(uow, event.partner_id, RankingItemKind.PROJECT, event.project_id)


async def on_monitoring_completed(uow: U, _: EventEnvelope, event: points_events.MonitoringCompleted) -> None:
    # R-CARD-03 counts projects through monitoring: a project monitored twice counts once.
    project = event.project_id or event.site_key or event.submission_id
    await projection.item_counted(uow, event.partner_id, RankingItemKind.MONITORED_PROJECT, project)


async def on_point_request_decided(uow: U, _: EventEnvelope, event: points_events.PointRequestDecided) -> None:
    if counts_as_marketing(event.category, event.granted_points):
        await projection.item_counted(uow, event.partner_id, RankingItemKind.MARKETING_ACTIVITY, event.point_request_id)


# --- compliance ---------------------------------------------------------------------------


def _period(
    event: compliance_events.SanctionApplied | compliance_events.SanctionLifted, *, lifted: bool
) -> SanctionPeriod:
    return SanctionPeriod(
        start_date=_date(event.start_date, "start_date"),
        end_date=_date(event.end_date, "end_date") if event.end_date else None,
        lifted=lifted,
    )


async def on_sanction_applied(uow: U, _: EventEnvelope, event: compliance_events.SanctionApplied) -> None:
    kind = _SANCTION_KINDS.get(event.kind)
    if kind is not None:
        await projection.sanction_changed(uow, event.sanction_id, event.partner_id, kind, _period(event, lifted=False))


async def on_sanction_lifted(uow: U, _: EventEnvelope, event: compliance_events.SanctionLifted) -> None:
    kind = _SANCTION_KINDS.get(event.kind)
    if kind is not None:
        await projection.sanction_changed(uow, event.sanction_id, event.partner_id, kind, _period(event, lifted=True))


async def on_erasure_requested(uow: U, _: EventEnvelope, event: compliance_events.PersonalDataErasureRequested) -> None:
    await projection.erase_person(uow, login=event.subject_login, phone=event.subject_phone)


def _routes(*pairs: tuple[type[Any], Any]) -> dict[str, Route[U]]:
    return {payload.DESCRIPTOR.full_name: Route(payload, handler) for payload, handler in pairs}


def routes_by_producer() -> dict[str, dict[str, Route[U]]]:
    """Each producer's events the directory follows, with their handlers."""
    return {
        "status": _routes(
            (status_events.PartnerApproved, on_partner_approved),
            (status_events.StatusChanged, on_status_changed),
            (status_events.StatusConfirmed, on_status_confirmed),
            (status_events.CardPublished, on_card_published),
            (status_events.CompetencyGranted, on_competency_granted),
            (status_events.CompetencyRevoked, on_competency_revoked),
            (status_events.PartnerTerminated, on_partner_terminated),
            (status_events.EmployeeAttached, on_employee_attached),
            (status_events.EmployeeDetached, on_employee_detached),
            (status_events.MainUserChanged, on_main_user_changed),
            (status_events.CertificateRecorded, on_certificate_recorded),
            (status_events.CertificateRevoked, on_certificate_revoked),
        ),
        "points": _routes(
            (points_events.ActiveTotalChanged, on_active_total_changed),
            (points_events.ProjectApproved, on_project_approved),
            (points_events.MonitoringCompleted, on_monitoring_completed),
            (points_events.PointRequestDecided, on_point_request_decided),
        ),
        "compliance": _routes(
            (compliance_events.SanctionApplied, on_sanction_applied),
            (compliance_events.SanctionLifted, on_sanction_lifted),
            (compliance_events.PersonalDataErasureRequested, on_erasure_requested),
        ),
    }


def durable_name(producer: str) -> str:
    return f"gateway-{producer}"


def build_consumers(bus: EventBus, uow_factory: Callable[[], U], *, max_attempts: int) -> list[EventConsumer[U]]:
    return [
        EventConsumer(
            bus,
            Subscription[U](durable=durable_name(producer), producer=producer, routes=routes),
            uow_factory,
            max_attempts=max_attempts,
        )
        for producer, routes in routes_by_producer().items()
    ]


def event_applier(uow_factory: Callable[[], U]) -> Callable[[str, bytes], Awaitable[bool]]:
    """Applies one envelope as the producer's consumer would, once (inbox), for the rebuild."""
    routes = routes_by_producer()

    async def apply(producer: str, data: bytes) -> bool:
        envelope = EventEnvelope.FromString(data)
        route = routes[producer].get(envelope.type)
        if route is None:
            return False
        payload = route.payload_type()
        if not envelope.payload.Unpack(payload):
            return False
        consumer = durable_name(producer)
        async with uow_factory() as uow:
            inbox = uow.tables.inbox
            seen = await uow.session.execute(
                sa.select(inbox.c.event_id).where(inbox.c.consumer == consumer, inbox.c.event_id == envelope.id)
            )
            if seen.first() is not None:
                return False
            await route.handler(uow, envelope, payload)
            await uow.session.execute(
                sa.insert(inbox).values(consumer=consumer, event_id=envelope.id, handled_at=uow.clock.now())
            )
            await uow.commit()
        return True

    return apply
