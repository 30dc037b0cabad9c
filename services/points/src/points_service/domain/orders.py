"""Orders reported by the sales platform (R-PTS-02): points for renewals and upgrades, sales volume.

Orders are idempotent by order id: the same order reported again is recognised, a
different order under a used id is refused. A cancelled order keeps its row (sales
volume stops counting it) and its points are reversed in the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from points_service.domain.amounts import ZERO, share_of, to_points
from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy


class OrderState(StrEnum):
    RECORDED = "RECORDED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class OrderLine:
    """One product bought: ``amount_uah`` is the line total; ``edition_code`` names the license
    edition when the product is one."""

    product_code: str
    amount_uah: Decimal
    edition_code: str | None = None
    is_renewal: bool = False
    is_upgrade: bool = False
    quantity: int = 1


@dataclass(frozen=True)
class Order:
    order_id: str
    partner_id: str
    lines: tuple[OrderLine, ...]
    ordered_at: datetime
    state: OrderState = OrderState.RECORDED
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @property
    def amount_uah(self) -> Decimal:
        return sum((line.amount_uah for line in self.lines), Decimal("0"))

    @property
    def product_codes(self) -> tuple[str, ...]:
        return tuple(line.product_code for line in self.lines)

    def same_report_as(self, other: Order) -> bool:
        """True when ``other`` is this order reported again (a retry), not a different order."""
        return (self.order_id, self.partner_id, self.lines, self.ordered_at) == (
            other.order_id,
            other.partner_id,
            other.lines,
            other.ordered_at,
        )

    def cancel(self, at: datetime, reason: str) -> Order:
        """The order cancelled; cancelling a cancelled order is refused so its points are reversed once."""
        if self.state is OrderState.CANCELLED:
            raise FailedPrecondition(
                reason="ORDER_ALREADY_CANCELLED", message=f"order {self.order_id} is cancelled already", rule="R-PTS-06"
            )
        return replace(self, state=OrderState.CANCELLED, cancelled_at=at, cancel_reason=reason)


def new_order(
    *, order_id: str, partner_id: str, lines: Iterable[OrderLine], ordered_at: datetime, policy: ProgramPolicy
) -> Order:
    """A validated order: ids present, at least one line, amounts not negative,
    renewal and upgrade lines on known editions."""
    if not order_id.strip():
        raise InvalidArgument.for_field("order.order_id", "is required")
    if not partner_id.strip():
        raise InvalidArgument.for_field("order.partner_id", "is required")
    checked = tuple(lines)
    if not checked:
        raise InvalidArgument.for_field("order.lines", "an order has at least one line")
    for index, line in enumerate(checked):
        path = f"order.lines[{index}]"
        if not line.product_code.strip():
            raise InvalidArgument.for_field(f"{path}.product_code", "is required")
        if line.amount_uah < 0:
            raise InvalidArgument.for_field(f"{path}.amount_uah", "cannot be negative")
        if line.quantity < 1:
            raise InvalidArgument.for_field(f"{path}.quantity", "must be at least 1")
        if line.is_renewal and line.is_upgrade:
            raise InvalidArgument.for_field(path, "a line is a renewal or an upgrade, not both")
        if (line.is_renewal or line.is_upgrade) and (
            line.edition_code is None or policy.edition(line.edition_code) is None
        ):
            raise InvalidArgument.for_field(
                f"{path}.edition_code",
                f"renewals and upgrades accrue points by edition; unknown edition {line.edition_code!r} (R-PTS-02)",
                reason="ORDER_UNKNOWN_EDITION",
                rule="R-PTS-02",
            )
    return Order(order_id=order_id, partner_id=partner_id, lines=checked, ordered_at=ordered_at)


def placed_at(order_time: datetime | None, existing: Order | None, now: datetime) -> datetime:
    """When the order was placed. An order is identified by its order id: the sales platform may resend
    it without ``order_time``, which then means the instant recorded first (now for a first report),
    so an identical resend is recognised instead of looking like different contents."""
    if order_time is not None:
        return order_time
    return existing.ordered_at if existing is not None else now


def ensure_same_report(existing: Order, reported: Order) -> None:
    """Idempotency by order id: a retry is fine, a different order under the same id is refused."""
    if not existing.same_report_as(reported):
        raise AlreadyExists(
            reason="ORDER_ID_REUSED",
            message=f"order.order_id: order {reported.order_id} was recorded with different contents",
        )


def order_points(order: Order, policy: ProgramPolicy) -> Decimal:
    """R-PTS-02: renewal and upgrade lines accrue the policy share of their edition's points value, per unit."""
    main = policy.points.main
    total = ZERO
    for line in order.lines:
        if not (line.is_renewal or line.is_upgrade) or line.edition_code is None:
            continue
        edition = policy.edition(line.edition_code)
        if edition is None:
            continue
        percent = main.renewal_points_share_percent if line.is_renewal else main.upgrade_points_share_percent
        total += share_of(edition.points_value * line.quantity, percent)
    return to_points(total)


def sales_volume(orders: Iterable[Order], partner_id: str, start: datetime, end: datetime) -> Decimal:
    """A partner's sales in UAH over [start, end), cancelled orders excluded (for licensing, R-NFR-06/08)."""
    return sum(
        (
            o.amount_uah
            for o in orders
            if o.partner_id == partner_id and o.state is OrderState.RECORDED and start <= o.ordered_at < end
        ),
        Decimal("0"),
    )
