"""Events licensing consumes: status (keys follow the status), points (sales), compliance (sanctions).

Handlers translate the producer's message and call one use case; they never commit
(the consumer records the event in the inbox and commits once).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date

from google.protobuf.timestamp_pb2 import Timestamp

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.service_layer import nfr_requests, revocation, sales, status_keys
from licensing_service.service_layer.context import Toolkit
from partnerprogram.compliance.v1 import events_pb2 as compliance_ev
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.points.v1 import events_pb2 as points_ev
from partnerprogram.status.v1 import events_pb2 as status_ev
from partnerprogram.status.v1 import status_pb2
from ppcore.clock import add_months, kyiv_date
from ppcore.consumer import Route, Subscription
from ppcore.errors import DomainError, InvalidArgument
from ppcore.logging import get_logger
from ppcore.policy import Tier

log = get_logger("licensing.consumers")

_TIERS: dict[int, Tier] = {
    status_pb2.PARTNER_TIER_BUSINESS: Tier.BUSINESS,
    status_pb2.PARTNER_TIER_CERTIFIED: Tier.CERTIFIED,
    status_pb2.PARTNER_TIER_GOLD: Tier.GOLD,
}


def _tier(value: int) -> Tier:
    tier = _TIERS.get(value)
    if tier is None:
        raise InvalidArgument.for_field("tier", f"unknown partner tier {value}")
    return tier


def _date(text: str, fallback: date, field: str) -> date:
    if not text:
        return fallback
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, f"{text!r} is not an ISO date") from exc


def _kyiv_date_of(ts: Timestamp, envelope: EventEnvelope) -> date:
    source = ts if ts.seconds or ts.nanos else envelope.time
    return kyiv_date(source.ToDatetime().replace(tzinfo=UTC))


class LicensingHandlers:
    """The event handlers, bound to the toolkit of this process."""

    def __init__(self, tools: Toolkit) -> None:
        self._tools = tools

    # --- status ---------------------------------------------------------------------------
    async def status_changed(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: status_ev.StatusChanged
    ) -> None:
        """R-NFR-01, R-NFR-03: keys follow the status from its grant date."""
        tier = _tier(event.to_tier)
        await status_keys.apply_status(
            uow,
            self._tools,
            partner_id=event.partner_id,
            tier=tier,
            effective_on=_date(event.granted_date, self._tools.today(), "granted_date"),
            reason=f"status changed to {tier.value} ({status_pb2.StatusChangeReason.Name(event.reason)})",
        )

    async def status_confirmed(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: status_ev.StatusConfirmed
    ) -> None:
        """R-NFR-03: a confirmed status renews its keys to the new anniversary."""
        tier = _tier(event.tier)
        months = self._tools.policy.nfr.key_validity_months
        anniversary = _date(event.valid_until_date, add_months(self._tools.today(), months), "valid_until_date")
        await status_keys.apply_status(
            uow,
            self._tools,
            partner_id=event.partner_id,
            tier=tier,
            effective_on=add_months(anniversary, -months),
            reason=f"status {tier.value} confirmed until {anniversary.isoformat()}",
        )

    async def partner_terminated(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: status_ev.PartnerTerminated
    ) -> None:
        """R-NFR-12: termination revokes every NFR key and the cloud NFR."""
        await status_keys.terminate(uow, self._tools, partner_id=event.partner_id, reason=event.reason or "terminated")

    async def card_published(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: status_ev.CardPublished
    ) -> None:
        """R-NFR-07: a portal domain in the published card brings the cloud NFR (once)."""
        domain = event.content.portal_domain.strip()
        if not domain:
            return
        if (await uow.portfolios.read(event.partner_id)).cloud is not None:
            return  # issued already; a later domain change in the card does not move the NFR
        try:
            await nfr_requests.issue_cloud_nfr(uow, self._tools, partner_id=event.partner_id, portal_domain=domain)
        except DomainError as refusal:
            # A bad domain or a terminated partner must not block the stream: nothing was saved.
            log.warning("licensing.cloud_nfr.not_issued", partner_id=event.partner_id, error=str(refusal))

    # --- points ---------------------------------------------------------------------------
    async def order_recorded(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: points_ev.OrderRecorded
    ) -> None:
        """R-NFR-06, R-NFR-08: the order counts toward the partner's yearly sales, in the one unit points
        converted it to (sales_uah: list prices by policy default)."""
        await sales.order_recorded(
            uow,
            partner_id=event.partner_id,
            order_id=event.order_id,
            amount_uah=sales.counted_amount(event.sales_uah, event.amount_uah),
            order_date=_kyiv_date_of(event.order_time, envelope),
        )

    async def order_cancelled(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: points_ev.OrderCancelled
    ) -> None:
        await sales.order_cancelled(
            uow,
            partner_id=event.partner_id,
            order_id=event.order_id,
            amount_uah=sales.counted_amount(event.sales_uah, event.amount_uah or "0"),
            order_date=_kyiv_date_of(event.order_time, envelope),
        )

    # --- compliance -----------------------------------------------------------------------
    async def sanction_applied(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: compliance_ev.SanctionApplied
    ) -> None:
        """R-NFR-11: an NFR-withdrawal sanction revokes the named keys (every key when none named)."""
        if event.kind != sanction_pb2.SANCTION_KIND_NFR_WITHDRAWAL:
            return
        await revocation.sanction_applied(
            uow,
            self._tools,
            partner_id=event.partner_id,
            sanction_id=event.sanction_id,
            targets=tuple(event.parameters.nfr_key_ids),
            start_date=_date(event.start_date, self._tools.today(), "start_date"),
        )

    async def sanction_lifted(
        self, uow: LicensingUnitOfWork, envelope: EventEnvelope, event: compliance_ev.SanctionLifted
    ) -> None:
        if event.kind != sanction_pb2.SANCTION_KIND_NFR_WITHDRAWAL:
            return
        await revocation.sanction_lifted(
            uow,
            self._tools,
            sanction_id=event.sanction_id,
            reason=sanction_pb2.SanctionLiftReason.Name(event.lift_reason),
        )


def _route(payload: type, handler: Callable[..., object]) -> tuple[str, Route[LicensingUnitOfWork]]:
    return payload.DESCRIPTOR.full_name, Route(payload, handler)  # type: ignore[arg-type,attr-defined]


def subscriptions(handlers: LicensingHandlers) -> list[Subscription[LicensingUnitOfWork]]:
    h = handlers
    return [
        Subscription(
            durable="licensing-status",
            producer="status",
            routes=dict(
                [
                    _route(status_ev.StatusChanged, h.status_changed),
                    _route(status_ev.StatusConfirmed, h.status_confirmed),
                    _route(status_ev.PartnerTerminated, h.partner_terminated),
                    _route(status_ev.CardPublished, h.card_published),
                ]
            ),
        ),
        Subscription(
            durable="licensing-points",
            producer="points",
            routes=dict(
                [
                    _route(points_ev.OrderRecorded, h.order_recorded),
                    _route(points_ev.OrderCancelled, h.order_cancelled),
                ]
            ),
        ),
        Subscription(
            durable="licensing-compliance",
            producer="compliance",
            routes=dict(
                [
                    _route(compliance_ev.SanctionApplied, h.sanction_applied),
                    _route(compliance_ev.SanctionLifted, h.sanction_lifted),
                ]
            ),
        ),
    ]
