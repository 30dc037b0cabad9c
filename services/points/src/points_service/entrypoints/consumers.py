"""Event consumers: partners from status, refuse-points sanctions and personal-data erasure from compliance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.status.v1 import events_pb2 as status_events
from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.sanctions import RefusePointsSanction
from points_service.service_layer import reference_data
from ppcore.bus import EventBus
from ppcore.consumer import EventConsumer, Route, Subscription
from ppcore.errors import InvalidArgument


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument.for_field(field, f"{text!r} is not an ISO date") from None


async def on_partner_approved(uow: PointsUnitOfWork, _: EventEnvelope, event: status_events.PartnerApproved) -> None:
    await reference_data.partner_approved(uow, event.partner_id, event.company_name)


async def on_partner_terminated(
    uow: PointsUnitOfWork, _: EventEnvelope, event: status_events.PartnerTerminated
) -> None:
    await reference_data.partner_terminated(uow, event.partner_id, _date(event.effective_date, "effective_date"))


def _sanction(
    event: compliance_events.SanctionApplied | compliance_events.SanctionLifted,
) -> RefusePointsSanction:
    return reference_data.refuse_points_sanction(
        sanction_id=event.sanction_id,
        partner_id=event.partner_id,
        start_date=_date(event.start_date, "start_date"),
        end_date=_date(event.end_date, "end_date") if event.end_date else None,
        reason=f"case {event.case_id}" if event.case_id else "",
    )


async def on_sanction_applied(
    uow: PointsUnitOfWork, _: EventEnvelope, event: compliance_events.SanctionApplied
) -> None:
    """R-PTS-07: only the refuse-points measure concerns points."""
    if event.kind == sanction_pb2.SANCTION_KIND_POINTS_REFUSAL:
        await reference_data.sanction_applied(uow, _sanction(event))


async def on_sanction_lifted(uow: PointsUnitOfWork, _: EventEnvelope, event: compliance_events.SanctionLifted) -> None:
    if event.kind == sanction_pb2.SANCTION_KIND_POINTS_REFUSAL:
        lifted_at = (
            event.lifted_time.ToDatetime().replace(tzinfo=UTC) if event.HasField("lifted_time") else uow.clock.now()
        )
        await reference_data.sanction_lifted(uow, _sanction(event), lifted_at)


async def on_erasure_requested(
    uow: PointsUnitOfWork, _: EventEnvelope, event: compliance_events.PersonalDataErasureRequested
) -> None:
    """R-PD-03: anonymise the person's contact in monitoring submissions."""
    await reference_data.erase_person(uow, email=event.subject_email, phone=event.subject_phone)


def _route(payload: type, handler: object) -> tuple[str, Route[PointsUnitOfWork]]:
    return payload.DESCRIPTOR.full_name, Route(payload, handler)  # type: ignore[attr-defined, arg-type]


def build_consumers(
    bus: EventBus, uow_factory: Callable[[], PointsUnitOfWork], *, max_attempts: int
) -> list[EventConsumer[PointsUnitOfWork]]:
    status = Subscription[PointsUnitOfWork](
        durable="points-status",
        producer="status",
        routes=dict(
            [
                _route(status_events.PartnerApproved, on_partner_approved),
                _route(status_events.PartnerTerminated, on_partner_terminated),
            ]
        ),
    )
    compliance = Subscription[PointsUnitOfWork](
        durable="points-compliance",
        producer="compliance",
        routes=dict(
            [
                _route(compliance_events.SanctionApplied, on_sanction_applied),
                _route(compliance_events.SanctionLifted, on_sanction_lifted),
                _route(compliance_events.PersonalDataErasureRequested, on_erasure_requested),
            ]
        ),
    )
    return [EventConsumer(bus, s, uow_factory, max_attempts=max_attempts) for s in (status, compliance)]
