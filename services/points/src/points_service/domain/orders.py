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
    """One product bought (any of the company's products, Bitrix24 box and cloud included).

    Units: ``amount_uah`` is the line total the partner paid the vendor (after its partner
    discount); ``list_amount_uah`` is the same line at list (retail) prices, when the sales
    platform reports it. ``edition_code`` names the license edition when the product is one.
    """

    product_code: str
    amount_uah: Decimal
    edition_code: str | None = None
    is_renewal: bool = False
    is_upgrade: bool = False
    quantity: int = 1
    list_amount_uah: Decimal | None = None


@dataclass(frozen=True)
class Order:
    order_id: str
    partner_id: str
    lines: tuple[OrderLine, ...]
    ordered_at: datetime
    state: OrderState = OrderState.RECORDED
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    # R-NFR-06/08: the order's sales in UAH at the policy's price basis, converted once on recording.
    sales_uah: Decimal = Decimal("0")

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
        if line.list_amount_uah is not None and line.list_amount_uah < 0:
            raise InvalidArgument.for_field(f"{path}.list_amount_uah", "cannot be negative")
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
    return Order(
        order_id=order_id,
        partner_id=partner_id,
        lines=checked,
        ordered_at=ordered_at,
        sales_uah=sum((line_sales_uah(line, i, policy) for i, line in enumerate(checked)), Decimal("0")).quantize(
            Decimal("0.01")
        ),
    )


def line_sales_uah(line: OrderLine, index: int, policy: ProgramPolicy) -> Decimal:
    """R-NFR-06/08: what a line counts toward the NFR renewal thresholds, in the one unit the policy
    names. The document names none; by *policy* default it is list (retail) prices, the unit of "the
    price of two editions" and of what end users pay (8.1). The list price is the one the sales
    platform reports, else the catalogue's: a new licence at its edition's price, a renewal at the
    edition's renewal price, times the quantity. Cloud plans, upgrades and other products have no
    catalogue price without more detail, so they need the reported list price."""
    if policy.nfr.sales_price_basis == "PAID":
        return line.amount_uah
    if line.list_amount_uah is not None:
        return line.list_amount_uah
    edition = policy.edition(line.edition_code) if line.edition_code else None
    if edition is not None and not line.is_upgrade:
        unit = policy.price_list.renewals.get(edition.code) if line.is_renewal else edition.price_uah
        if unit is not None:
            return unit * line.quantity
    raise InvalidArgument.for_field(
        f"order.lines[{index}].list_amount_uah",
        "sales count toward NFR renewals at list prices (policy nfr.sales_price_basis); this line's list "
        "price is not in the catalogue, so the sales platform reports it (R-NFR-06)",
        reason="ORDER_LIST_PRICE_MISSING",
        rule="R-NFR-06",
    )


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
    """A partner's sales over [start, end) at the policy's price basis, cancelled orders excluded
    (for licensing, R-NFR-06/08)."""
    return sum(
        (
            o.sales_uah
            for o in orders
            if o.partner_id == partner_id and o.state is OrderState.RECORDED and start <= o.ordered_at < end
        ),
        Decimal("0"),
    )
