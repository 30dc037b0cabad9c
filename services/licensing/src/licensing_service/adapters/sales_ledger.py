"""The partner's sales, one row per order, from the points service's order events.

Yearly renewals sum them (R-NFR-06, R-NFR-08). A cancellation may arrive before the
order it cancels (different redelivery timing), so it is recorded either way and the
order, when it comes, does not revive it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from licensing_service.adapters.orm import SaleRow


class SalesLedger:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, *, order_id: str, partner_id: str, amount_uah: Decimal, order_date: date) -> None:
        if await self._session.get(SaleRow, order_id) is None:
            self._session.add(
                SaleRow(
                    order_id=order_id,
                    partner_id=partner_id,
                    amount_uah=amount_uah,
                    order_date=order_date,
                    cancelled=False,
                )
            )
            await self._session.flush()

    async def cancel(self, *, order_id: str, partner_id: str, amount_uah: Decimal, order_date: date) -> None:
        row = await self._session.get(SaleRow, order_id)
        if row is None:
            self._session.add(
                SaleRow(
                    order_id=order_id,
                    partner_id=partner_id,
                    amount_uah=amount_uah,
                    order_date=order_date,
                    cancelled=True,
                )
            )
        else:
            row.cancelled = True
        await self._session.flush()

    async def total(self, partner_id: str, sales_from: date, sales_until: date) -> Decimal:
        """Sales on Kyiv dates ``sales_from <= d < sales_until``, cancelled orders excluded."""
        total = await self._session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(SaleRow.amount_uah), 0)).where(
                SaleRow.partner_id == partner_id,
                SaleRow.order_date >= sales_from,
                SaleRow.order_date < sales_until,
                SaleRow.cancelled.is_(False),
            )
        )
        return Decimal(str(total or 0))
