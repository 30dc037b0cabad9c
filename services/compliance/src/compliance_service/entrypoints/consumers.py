"""Events this service consumes: which partners exist, from the status service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.service_layer import partners
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.bus import EventBus
from ppcore.consumer import EventConsumer, Route, Subscription
from ppcore.errors import InvalidArgument
from ppcore.server import BackgroundTask


async def on_partner_approved(
    uow: ComplianceUnitOfWork, envelope: EventEnvelope, payload: status_events.PartnerApproved
) -> None:
    await partners.partner_approved(uow, payload.partner_id, envelope.time.ToDatetime(tzinfo=UTC))


async def on_partner_terminated(
    uow: ComplianceUnitOfWork, envelope: EventEnvelope, payload: status_events.PartnerTerminated
) -> None:
    try:
        effective = date.fromisoformat(payload.effective_date)
    except ValueError:
        raise InvalidArgument.for_field("effective_date", f"not an ISO date: {payload.effective_date!r}") from None
    await partners.partner_terminated(uow, payload.partner_id, effective, envelope.time.ToDatetime(tzinfo=UTC))


def status_subscription() -> Subscription[ComplianceUnitOfWork]:
    return Subscription(
        durable="compliance-status",
        producer="status",
        routes={
            status_events.PartnerApproved.DESCRIPTOR.full_name: Route(
                status_events.PartnerApproved, on_partner_approved
            ),
            status_events.PartnerTerminated.DESCRIPTOR.full_name: Route(
                status_events.PartnerTerminated, on_partner_terminated
            ),
        },
    )


def consumer_tasks(
    bus: EventBus, uow_factory: Callable[[], ComplianceUnitOfWork], *, max_attempts: int
) -> list[BackgroundTask]:
    consumer = EventConsumer(bus, status_subscription(), uow_factory, max_attempts=max_attempts)
    return [consumer.run]
