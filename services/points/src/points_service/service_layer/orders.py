"""Orders from the sales platform (R-PTS-02): points for renewals and upgrades, sales volume for licensing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.accruals import accrue
from points_service.domain.events import OrderCancelled, OrderRecorded
from points_service.domain.ledger import LedgerEntry, SourceType, reverse
from points_service.domain.orders import (
    Order,
    OrderLine,
    ensure_same_report,
    new_order,
    order_points,
    placed_at,
)
from points_service.service_layer.common import new_id
from ppcore.clock import kyiv_datetime
from ppcore.errors import InvalidArgument, not_found
from ppcore.policy import ProgramPolicy

SYSTEM_DECIDER = "system:sales-platform"


async def record_order(
    uow: PointsUnitOfWork,
    *,
    order_id: str,
    partner_id: str,
    lines: Iterable[OrderLine],
    ordered_at: datetime | None,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[Order, list[LedgerEntry]]:
    """Record an order once (idempotent by order id); renewals and upgrades accrue automatically (R-PTS-02).

    An order is identified by its order id: the same order sent again (under any request_id, with or
    without ``ordered_at``) returns the first answer; different contents are ALREADY_EXISTS.
    The accrual dates from the purchase (never later than now), so it expires a year after it (R-PTS-04).
    """
    existing = await uow.orders.get(order_id) if order_id.strip() else None
    placed = placed_at(ordered_at, existing, now)
    reported = new_order(order_id=order_id, partner_id=partner_id, lines=lines, ordered_at=placed, policy=policy)
    if existing is not None:
        ensure_same_report(existing, reported)
        return existing, await uow.ledger.for_source(SourceType.ORDER, order_id)
    await uow.orders.add(reported)
    entries: list[LedgerEntry] = []
    points = order_points(reported, policy)
    if points > 0:
        entry = accrue(
            entry_id=new_id(),
            partner_id=partner_id,
            source_type=SourceType.ORDER,
            source_id=order_id,
            points=points,
            at=min(placed, now),
            decided_by=SYSTEM_DECIDER,
            policy=policy,
            sanctions=await uow.sanctions.for_partner(partner_id),
            note="renewal/upgrade purchase (R-PTS-02)",
        )
        uow.record_entry(entry)
        entries.append(entry)
    uow.emit(
        [
            OrderRecorded(
                partner_id=partner_id,
                order_id=order_id,
                amount_uah=reported.amount_uah,
                sales_uah=reported.sales_uah,
                product_codes=reported.product_codes,
                ordered_at=placed,
                points=sum((e.amount for e in entries), Decimal("0.00")),
            )
        ]
    )
    return reported, entries


async def cancel_order(
    uow: PointsUnitOfWork, order_id: str, *, reason: str, now: datetime, policy: ProgramPolicy
) -> tuple[Order, list[LedgerEntry]]:
    """A cancelled order leaves the sales volume and its points are reversed (R-PTS-06)."""
    order = await uow.orders.get(order_id)
    if order is None:
        raise not_found("order", order_id)
    cancelled = order.cancel(now, reason or "order cancelled")
    await uow.orders.save(cancelled)
    reversals = []
    for entry in await uow.ledger.for_source(SourceType.ORDER, order_id):
        if entry.is_reversal or entry.amount <= 0 or await uow.ledger.reversed_amount(entry.entry_id) != 0:
            continue
        reversal = reverse(
            entry,
            entry_id=new_id(),
            at=now,
            decided_by=SYSTEM_DECIDER,
            reason=f"order {order_id} cancelled: {cancelled.cancel_reason}",
            policy_version=policy.version,
        )
        uow.record_entry(reversal)
        reversals.append(reversal)
    uow.emit(
        [
            OrderCancelled(
                partner_id=order.partner_id,
                order_id=order_id,
                amount_uah=order.amount_uah,
                sales_uah=order.sales_uah,
                ordered_at=order.ordered_at,
                cancelled_at=now,
                reason=cancelled.cancel_reason,
            )
        ]
    )
    return cancelled, reversals


async def order_points_net(uow: PointsUnitOfWork, order_id: str) -> Decimal:
    return sum((e.amount for e in await uow.ledger.for_source(SourceType.ORDER, order_id)), Decimal("0.00"))


async def sales_volume(
    uow: PointsUnitOfWork, partner_id: str, start_date: date, end_date: date
) -> tuple[Decimal, Decimal, int]:
    """Recorded orders placed on Kyiv dates start..end inclusive: paid, sales at the policy's price basis
    (licensing renewals, R-NFR-06/08), count."""
    if not partner_id:
        raise InvalidArgument.for_field("partner_id", "is required")
    if end_date < start_date:
        raise InvalidArgument.for_field("end_date", "is before start_date")
    return await uow.orders.sales_volume(
        partner_id, kyiv_datetime(start_date), kyiv_datetime(end_date + timedelta(days=1))
    )
