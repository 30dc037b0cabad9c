"""The local sales ledger fed by the points service's order events (R-NFR-06, R-NFR-08)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from licensing_service.adapters.uow import LicensingUnitOfWork
from ppcore.decimals import parse_decimal


def parse_amount(text: str) -> Decimal:
    return parse_decimal("amount_uah", text)


def counted_amount(sales_uah: str, amount_uah: str) -> Decimal:
    """R-NFR-06/08: what an order counts toward the renewal thresholds: points' ``sales_uah``, the order
    converted once to the policy's unit (list prices by default). Events from before that field carry
    only what the partner paid, which then counts as it did."""
    return parse_amount(sales_uah) if sales_uah else parse_amount(amount_uah)


async def order_recorded(
    uow: LicensingUnitOfWork, *, partner_id: str, order_id: str, amount_uah: Decimal, order_date: date
) -> None:
    await uow.sales.record(order_id=order_id, partner_id=partner_id, amount_uah=amount_uah, order_date=order_date)


async def order_cancelled(
    uow: LicensingUnitOfWork, *, partner_id: str, order_id: str, amount_uah: Decimal, order_date: date
) -> None:
    await uow.sales.cancel(order_id=order_id, partner_id=partner_id, amount_uah=amount_uah, order_date=order_date)
