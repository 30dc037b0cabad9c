"""Daily active totals in SQL (R-PTS-05): every partner's total in one set-based statement.

The ledger rows active at the run instant are grouped by partner (on PostgreSQL a
streaming aggregate over the covering (partner_id, accrued_at) index), full-joined with
the previous run's stored totals and inserted straight into ``daily_totals``; each row
carries its previous total, so the changed partners are a range read by date. Nothing
loops over partners, and amounts never leave the database as per-partner queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from points_service.adapters.orm import DailyTotalRow, DailyTotalRunRow, LedgerEntryRow
from ppcore.db import UTCDateTime


@dataclass(frozen=True)
class StoredRun:
    business_date: date
    computed_at: datetime
    partner_count: int
    changed_count: int


@dataclass(frozen=True)
class ChangedTotal:
    partner_id: str
    total: Decimal
    previous: Decimal


@dataclass(frozen=True)
class StoredTotal:
    partner_id: str
    business_date: date
    total: Decimal
    computed_at: datetime
    policy_version: str


class DailyTotalsStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def run_for(self, business_date: date) -> StoredRun | None:
        row = await self._session.get(DailyTotalRunRow, business_date)
        if row is None:
            return None
        return StoredRun(row.business_date, row.computed_at, row.partner_count, row.changed_count)

    async def latest_run_date(self) -> date | None:
        return await self._session.scalar(sa.select(sa.func.max(DailyTotalRunRow.business_date)))

    async def compute(
        self, business_date: date, *, at: datetime, previous_date: date | None, policy_version: str
    ) -> int:
        """Store every partner's total active at ``at`` for ``business_date``; returns the rows stored.

        A partner gets a row when it has entries active at ``at`` or a non-zero previous total
        (so a total that expired to zero is stored, and compared, once).
        """
        current = (
            sa.select(LedgerEntryRow.partner_id, sa.func.sum(LedgerEntryRow.amount).label("total"))
            .where(LedgerEntryRow.accrued_at <= at, LedgerEntryRow.expires_at > at)
            .group_by(LedgerEntryRow.partner_id)
            .subquery("current")
        )
        previous = (
            sa.select(DailyTotalRow.partner_id, DailyTotalRow.total_points)
            .where(DailyTotalRow.business_date == previous_date if previous_date is not None else sa.false())
            .subquery("previous")
        )
        per_partner = (
            sa.select(
                sa.func.coalesce(current.c.partner_id, previous.c.partner_id),
                sa.literal(business_date, sa.Date()),
                sa.type_coerce(sa.func.coalesce(current.c.total, 0), sa.BigInteger()),
                sa.type_coerce(sa.func.coalesce(previous.c.total_points, 0), sa.BigInteger()),
                sa.literal(at, UTCDateTime()),
                sa.literal(policy_version, sa.String()),
            )
            .select_from(current.join(previous, current.c.partner_id == previous.c.partner_id, full=True))
            .where(sa.or_(current.c.partner_id.is_not(None), previous.c.total_points != 0))
        )
        result = await self._session.execute(
            sa.insert(DailyTotalRow).from_select(
                ["partner_id", "business_date", "total_points", "previous_points", "computed_at", "policy_version"],
                per_partner,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def changed(self, business_date: date) -> list[ChangedTotal]:
        rows = await self._session.execute(
            sa.select(DailyTotalRow.partner_id, DailyTotalRow.total_points, DailyTotalRow.previous_points)
            .where(
                DailyTotalRow.business_date == business_date,
                DailyTotalRow.total_points != DailyTotalRow.previous_points,
            )
            .order_by(DailyTotalRow.partner_id)
        )
        return [ChangedTotal(r.partner_id, r.total_points, r.previous_points) for r in rows]

    def record_run(self, run: StoredRun, *, policy_version: str, ran_at: datetime) -> None:
        self._session.add(
            DailyTotalRunRow(
                business_date=run.business_date,
                computed_at=run.computed_at,
                partner_count=run.partner_count,
                changed_count=run.changed_count,
                policy_version=policy_version,
                ran_at=ran_at,
            )
        )

    async def total_of(self, partner_id: str, business_date: date | None) -> StoredTotal | None:
        """The stored total of a partner on a date (the latest stored when None)."""
        query = sa.select(DailyTotalRow).where(DailyTotalRow.partner_id == partner_id)
        if business_date is not None:
            query = query.where(DailyTotalRow.business_date == business_date)
        row = await self._session.scalar(query.order_by(DailyTotalRow.business_date.desc()).limit(1))
        if row is None:
            return None
        return StoredTotal(row.partner_id, row.business_date, row.total_points, row.computed_at, row.policy_version)
