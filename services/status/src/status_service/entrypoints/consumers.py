"""Events the status service consumes: points' totals and monitoring, compliance's sanctions and erasures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.points.v1 import events_pb2 as points_events
from ppcore.bus import EventBus
from ppcore.clock import kyiv_date
from ppcore.consumer import EventConsumer, Route, Subscription
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy, Tier
from status_service.adapters.proto_mapping import parse_date
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.enums import SanctionKind
from status_service.domain.sanctions import ActiveSanction
from status_service.service_layer import privacy, sanctions, status

_TARGET_TIERS = {
    sanction_pb2.SANCTION_TARGET_TIER_BUSINESS: Tier.BUSINESS,
    sanction_pb2.SANCTION_TARGET_TIER_CERTIFIED: Tier.CERTIFIED,
}
# Kinds that change status-owned state; the others (points refusal, NFR, lists...) are other services'.
_KINDS = {sanction_pb2.SanctionKind.Value(f"SANCTION_KIND_{kind.value}"): kind for kind in SanctionKind}


def _points(value: str) -> int:
    try:
        return int(Decimal(value or "0"))
    except InvalidOperation:
        raise InvalidArgument.for_field("total_points", f"{value!r} is not a number") from None


@dataclass
class StatusEventHandlers:
    policy: ProgramPolicy

    async def active_total_changed(
        self, uow: StatusUnitOfWork, envelope: EventEnvelope, event: points_events.ActiveTotalChanged
    ) -> None:
        """R-PTS-05 -> R-STS-04: the newest daily total and an evaluation."""
        as_of = parse_date(event.business_date, "business_date")
        await status.active_total_changed(
            uow, event.partner_id, _points(event.total_points), as_of, uow.clock.now(), self.policy
        )

    async def daily_totals_completed(
        self, uow: StatusUnitOfWork, envelope: EventEnvelope, event: points_events.DailyTotalsCompleted
    ) -> None:
        """R-PTS-05: every total of the date is in (it follows them on the stream); the review may read them."""
        await uow.points_totals.record(parse_date(event.business_date, "business_date"), uow.clock.now())

    async def monitoring_completed(
        self, uow: StatusUnitOfWork, envelope: EventEnvelope, event: points_events.MonitoringCompleted
    ) -> None:
        """R-STS-03 monitoring facts and the quality-monitoring badge (R-CMP-03, R-QM-05)."""
        completed = kyiv_date(event.complete_time.ToDatetime().replace(tzinfo=uow.clock.now().tzinfo))
        project = event.project_id or event.submission_id
        await status.monitoring_completed(uow, event.partner_id, project, completed, uow.clock.now(), self.policy)

    async def sanction_applied(
        self, uow: StatusUnitOfWork, envelope: EventEnvelope, event: compliance_events.SanctionApplied
    ) -> None:
        kind = _KINDS.get(event.kind)
        if kind is None:
            return
        sanction = ActiveSanction(
            sanction_id=event.sanction_id,
            kind=kind,
            start_date=parse_date(event.start_date, "start_date"),
            end_date=parse_date(event.end_date, "end_date") if event.end_date else None,
            target_tier=_TARGET_TIERS.get(event.parameters.target_tier),
            competency_codes=frozenset(event.parameters.competency_codes),
        )
        await sanctions.sanction_applied(uow, sanction, event.partner_id, uow.clock.now(), self.policy)

    async def sanction_lifted(
        self, uow: StatusUnitOfWork, envelope: EventEnvelope, event: compliance_events.SanctionLifted
    ) -> None:
        if event.kind in _KINDS:
            await sanctions.sanction_lifted(uow, event.sanction_id, event.partner_id, uow.clock.now(), self.policy)

    async def erasure_requested(
        self, uow: StatusUnitOfWork, envelope: EventEnvelope, event: compliance_events.PersonalDataErasureRequested
    ) -> None:
        """R-PD-03: anonymise the subject's contact data, keep ids and history."""
        await privacy.erase_personal_data(
            uow, event.partner_id, event.subject_login, event.subject_email, event.subject_phone, uow.clock.now()
        )


def build_consumers(
    bus: EventBus, uow_factory: Callable[[], StatusUnitOfWork], policy: ProgramPolicy, *, max_attempts: int
) -> list[EventConsumer[StatusUnitOfWork]]:
    h = StatusEventHandlers(policy)

    def route(payload: type, handler: object) -> tuple[str, Route[StatusUnitOfWork]]:
        return payload.DESCRIPTOR.full_name, Route(payload, handler)  # type: ignore[attr-defined,arg-type]

    points = Subscription[StatusUnitOfWork](
        durable="status-points",
        producer="points",
        routes=dict(
            [
                route(points_events.ActiveTotalChanged, h.active_total_changed),
                route(points_events.DailyTotalsCompleted, h.daily_totals_completed),
                route(points_events.MonitoringCompleted, h.monitoring_completed),
            ]
        ),
    )
    compliance = Subscription[StatusUnitOfWork](
        durable="status-compliance",
        producer="compliance",
        routes=dict(
            [
                route(compliance_events.SanctionApplied, h.sanction_applied),
                route(compliance_events.SanctionLifted, h.sanction_lifted),
                route(compliance_events.PersonalDataErasureRequested, h.erasure_requested),
            ]
        ),
    )
    return [
        EventConsumer(bus, points, uow_factory, max_attempts=max_attempts),
        EventConsumer(bus, compliance, uow_factory, max_attempts=max_attempts),
    ]
