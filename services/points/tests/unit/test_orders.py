from datetime import datetime
from decimal import Decimal

import pytest

from points_service.domain.accruals import accrue
from points_service.domain.ledger import SourceType, active_total, reverse
from points_service.domain.orders import (
    OrderLine,
    OrderState,
    ensure_same_report,
    new_order,
    order_points,
    sales_volume,
)
from ppcore.clock import KYIV
from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


def renewal_order(policy, order_id="o1", at=None, amount="72900"):
    return new_order(
        order_id=order_id,
        partner_id="p1",
        lines=[
            OrderLine(
                "SM_BUSINESS_RENEWAL",
                Decimal(amount),
                edition_code="SM_BUSINESS",
                is_renewal=True,
                list_amount_uah=Decimal(amount),
            )
        ],
        ordered_at=at or kyiv(2025, 4, 1),
        policy=policy,
    )


def test_renewal_and_upgrade_accrue_the_policy_share_of_the_edition_points_value(policy):
    """R-PTS-02: renewals and upgrades accrue automatically per policy and edition points value."""
    order = new_order(
        order_id="o1",
        partner_id="p1",
        lines=[
            OrderLine("R", Decimal("72900"), edition_code="SM_BUSINESS", is_renewal=True),  # 40 points value
            OrderLine(
                "U",
                Decimal("1000"),
                edition_code="SM_START",
                is_upgrade=True,
                quantity=3,
                list_amount_uah=Decimal(3000),
            ),  # 5 points value
            OrderLine("NEW", Decimal("17900"), edition_code="SM_STANDARD"),  # a new license: no points
        ],
        ordered_at=kyiv(2025, 4, 1),
        policy=policy,
    )
    renewal = policy.points.main.renewal_points_share_percent
    upgrade = policy.points.main.upgrade_points_share_percent
    expected = Decimal(40 * renewal) / 100 + Decimal(5 * 3 * upgrade) / 100
    assert order_points(order, policy) == expected.quantize(Decimal("0.01"))
    assert order.amount_uah == Decimal("91800")


def test_renewal_on_an_unknown_edition_is_invalid(policy):
    """R-PTS-02: a renewal or upgrade must name an edition so its points can be computed."""
    with pytest.raises(InvalidArgument) as exc:
        new_order(
            order_id="o1",
            partner_id="p1",
            lines=[OrderLine("X", Decimal(1), edition_code="NOPE", is_renewal=True)],
            ordered_at=kyiv(2025, 4, 1),
            policy=policy,
        )
    assert exc.value.rule == "R-PTS-02"


def test_same_order_reported_twice_is_a_retry_and_a_different_one_is_refused(policy):
    """R-PTS-02: orders are idempotent by order id."""
    first = renewal_order(policy)
    ensure_same_report(first, renewal_order(policy))
    with pytest.raises(AlreadyExists):
        ensure_same_report(first, renewal_order(policy, amount="1"))


def test_cancelled_order_reverses_its_points_and_leaves_sales_volume(policy):
    """R-PTS-02/R-PTS-06: a cancelled order's points are reversed and it stops counting as sales."""
    order = renewal_order(policy)
    accrual = accrue(
        entry_id="e1",
        partner_id="p1",
        source_type=SourceType.ORDER,
        source_id=order.order_id,
        points=order_points(order, policy),
        at=order.ordered_at,
        decided_by="system",
        policy=policy,
    )
    cancelled = order.cancel(kyiv(2025, 5, 1), "refund")
    reversal = reverse(
        accrual, entry_id="e2", at=kyiv(2025, 5, 1), decided_by="system", reason="order cancelled", policy_version="v"
    )
    assert cancelled.state is OrderState.CANCELLED
    assert active_total([accrual, reversal], kyiv(2025, 4, 15)) == Decimal("20.00")
    assert active_total([accrual, reversal], kyiv(2025, 5, 2)) == Decimal("0.00")
    period = (kyiv(2025, 1, 1, 0), kyiv(2026, 1, 1, 0))
    assert sales_volume([order], "p1", *period) == Decimal("72900")
    assert sales_volume([cancelled], "p1", *period) == Decimal("0")
    with pytest.raises(FailedPrecondition):
        cancelled.cancel(kyiv(2025, 5, 2), "again")


def test_sales_volume_sums_a_partners_orders_in_the_period(policy):
    """R-NFR-06/08 input: sales volume per partner per period, start inclusive, end exclusive."""
    orders = [
        renewal_order(policy, "a", kyiv(2025, 1, 1, 0), "100"),
        renewal_order(policy, "b", kyiv(2025, 12, 31, 23), "50"),
        renewal_order(policy, "c", kyiv(2026, 1, 1, 0), "7"),
    ]
    assert sales_volume(orders, "p1", kyiv(2025, 1, 1, 0), kyiv(2026, 1, 1, 0)) == Decimal("150")
    assert sales_volume(orders, "p2", kyiv(2025, 1, 1, 0), kyiv(2026, 1, 1, 0)) == Decimal("0")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (OrderLine("", Decimal(1)), "order.lines[0].product_code"),
        (OrderLine("X", Decimal(-1)), "order.lines[0].amount_uah"),
        (OrderLine("X", Decimal(1), quantity=0), "order.lines[0].quantity"),
    ],
)
def test_malformed_order_lines_are_invalid(policy, line, field):
    """R-PTS-02: order input is validated before anything accrues."""
    with pytest.raises(InvalidArgument) as exc:
        new_order(order_id="o", partner_id="p", lines=[line], ordered_at=kyiv(2025, 1, 1), policy=policy)
    assert exc.value.violations[0].field == field


def test_an_order_resent_without_its_order_time_is_the_same_order(policy):
    """R-PTS-02: an order is identified by its order id; the sales platform resending the same order
    with order_time unset (placed "now" the first time) gets the first answer, while different
    contents under the same id are still refused."""
    from points_service.domain.orders import placed_at

    first_at = kyiv(2025, 4, 1, 10)
    first = renewal_order(policy, at=placed_at(None, None, first_at))
    resent_at = placed_at(None, first, kyiv(2025, 4, 1, 11))
    ensure_same_report(first, renewal_order(policy, at=resent_at))  # no error: the same order
    assert placed_at(kyiv(2025, 3, 31), first, kyiv(2025, 4, 2)) == kyiv(2025, 3, 31)
    with pytest.raises(AlreadyExists):
        ensure_same_report(first, renewal_order(policy, at=resent_at, amount="1"))


def test_sales_count_at_list_prices_for_any_of_the_companys_products(policy):
    """R-NFR-06/08: "продати будь-які продукти компанії «Бітрікс24»" -- sales of any product count,
    Bitrix24 box and cloud included, in one unit: list prices by policy default (the unit of "вартості
    двох редакцій"), converted once when the order is recorded; the partner's discounted price is
    what it paid, not the sales figure."""  # noqa: RUF002
    lines = [
        OrderLine("SM-NEW", Decimal("10740"), edition_code="SM_STANDARD"),  # paid at 40 % off 17,900
        OrderLine("SM-REN", Decimal("1000"), edition_code="SM_BUSINESS", is_renewal=True, quantity=2),
        OrderLine("B24-BOX", Decimal("71400"), edition_code="B24_BOX_COMPANY"),
        OrderLine("B24-CLOUD-COMPANY-12", Decimal("57540"), list_amount_uah=Decimal("95900")),
    ]
    order = new_order(order_id="o", partner_id="p1", lines=lines, ordered_at=kyiv(2025, 4, 1), policy=policy)
    renewal = policy.price_list.renewals["SM_BUSINESS"]
    assert order.sales_uah == Decimal("17900") + 2 * renewal + Decimal("119000") + Decimal("95900")
    assert order.amount_uah == Decimal("140680")  # what the partner paid stays as reported
    paid = policy.model_copy(update={"nfr": policy.nfr.model_copy(update={"sales_price_basis": "PAID"})})
    assert new_order(
        order_id="o", partner_id="p1", lines=lines, ordered_at=kyiv(2025, 4, 1), policy=paid
    ).sales_uah == (Decimal("140680"))


@pytest.mark.parametrize(
    "line",
    [
        OrderLine("B24-CLOUD", Decimal("5000")),
        OrderLine("SM-UP", Decimal("5000"), edition_code="SM_BUSINESS", is_upgrade=True),
    ],
)
def test_a_line_the_catalogue_cannot_price_needs_its_list_price(policy, line):
    """R-NFR-06: counting at list prices needs each line's list price; a cloud plan or an upgrade
    is not priced by the catalogue alone, so the sales platform must report it."""
    with pytest.raises(InvalidArgument) as exc:
        new_order(order_id="o", partner_id="p", lines=[line], ordered_at=kyiv(2025, 1, 1), policy=policy)
    assert (exc.value.reason, exc.value.rule) == ("ORDER_LIST_PRICE_MISSING", "R-NFR-06")
    assert exc.value.violations[0].field == "order.lines[0].list_amount_uah"
