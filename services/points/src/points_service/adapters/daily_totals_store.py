"""Daily active totals in SQL (R-PTS-05): every partner's total in one set-based statement.

The ledger rows active at the run instant are grouped by partner (on PostgreSQL a parallel
streaming aggregate over the covering (partner_id, accrued_at) index) and full-joined with
``active_totals``, each partner's total as of the latest computed date; only the partners
whose total differs come back. Those are appended to ``daily_totals`` (a change log: a
partner's total on a date is its latest row on or before it) and folded into
``active_totals`` by one upsert. Nothing loops over partners, and the run writes rows only
for the partners that changed.

The aggregate is a plain SELECT on purpose: PostgreSQL runs it with parallel workers,
which it never does for the SELECT inside an INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from points_service.adapters.orm import ActiveTotalRow, DailyTotalRow, DailyTotalRunRow, Hundredths, LedgerEntryRow
from ppcore.db import insert_many, upsert_insert

_DAILY_TOTALS = cast(sa.Table, DailyTotalRow.__table__)
# Any constant works; it only has to differ from the other advisory locks of the database.
_RUN_LOCK_KEY = 0x5054_5330_35  # "PTS05"


@dataclass(frozen=True)
class StoredRun:
    business_date: date
    computed_at: datetime
    partner_count: int
    changed_count: int
    policy_version: str


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
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def lock_runs(self) -> None:
        """Serialise runs until the transaction ends (SQLite writers are serialised already)."""
        if self._dialect == "postgresql":
            await self._session.execute(sa.select(sa.func.pg_advisory_xact_lock(_RUN_LOCK_KEY)))

    async def run_for(self, business_date: date) -> StoredRun | None:
        row = await self._session.get(DailyTotalRunRow, business_date)
        return None if row is None else _run(row)

    async def latest_run(self) -> StoredRun | None:
        row = await self._session.scalar(
            sa.select(DailyTotalRunRow).order_by(DailyTotalRunRow.business_date.desc()).limit(1)
        )
        return None if row is None else _run(row)

    async def changes_at(self, at: datetime) -> list[ChangedTotal]:
        """Every partner whose total active at ``at`` differs from its latest computed total."""
        current = (
            sa.select(LedgerEntryRow.partner_id, sa.func.sum(LedgerEntryRow.amount).label("total"))
            .where(LedgerEntryRow.accrued_at <= at, LedgerEntryRow.expires_at > at)
            .group_by(LedgerEntryRow.partner_id)
            .subquery("current")
        )
        previous = sa.select(ActiveTotalRow.partner_id, ActiveTotalRow.total_points).subquery("previous")
        total = sa.func.coalesce(current.c.total, 0)
        before = sa.func.coalesce(previous.c.total_points, 0)
        partner = sa.func.coalesce(current.c.partner_id, previous.c.partner_id)
        rows = await self._session.execute(
            sa.select(partner, sa.type_coerce(total, Hundredths()), sa.type_coerce(before, Hundredths()))
            .select_from(current.join(previous, current.c.partner_id == previous.c.partner_id, full=True))
            .where(total != before)
            .order_by(partner)
        )
        return [ChangedTotal(partner_id, now, was) for partner_id, now, was in rows]

    async def record_changes(
        self, business_date: date, changes: Sequence[ChangedTotal], *, at: datetime, policy_version: str
    ) -> None:
        """Append the date's changed totals and fold them into ``active_totals``."""
        if not changes:
            return
        await insert_many(
            self._session,
            _DAILY_TOTALS,
            [{"partner_id": c.partner_id, "total_points": c.total, "previous_points": c.previous} for c in changes],
            same={"business_date": business_date, "computed_at": at, "policy_version": policy_version},
        )
        todays = upsert_insert(self._dialect, ActiveTotalRow).from_select(
            ["partner_id", "total_points", "business_date"],
            sa.select(DailyTotalRow.partner_id, DailyTotalRow.total_points, DailyTotalRow.business_date).where(
                DailyTotalRow.business_date == business_date
            ),
        )
        await self._session.execute(
            todays.on_conflict_do_update(
                index_elements=["partner_id"],
                set_={"total_points": todays.excluded.total_points, "business_date": todays.excluded.business_date},
            )
        )

    async def partners_with_points(self) -> int:
        """Partners whose latest computed total is not zero."""
        count = await self._session.scalar(
            sa.select(sa.func.count()).select_from(ActiveTotalRow).where(ActiveTotalRow.total_points != 0)
        )
        return int(count or 0)

    def record_run(self, run: StoredRun, *, ran_at: datetime) -> None:
        self._session.add(
            DailyTotalRunRow(
                business_date=run.business_date,
                computed_at=run.computed_at,
                partner_count=run.partner_count,
                changed_count=run.changed_count,
                policy_version=run.policy_version,
                ran_at=ran_at,
            )
        )

    async def total_on(self, partner_id: str, business_date: date) -> Decimal | None:
        """A partner's stored total on a computed date: its latest change on or before it (None without one)."""
        return await self._session.scalar(
            sa.select(DailyTotalRow.total_points)
            .where(DailyTotalRow.partner_id == partner_id, DailyTotalRow.business_date <= business_date)
            .order_by(DailyTotalRow.business_date.desc())
            .limit(1)
        )


def _run(row: DailyTotalRunRow) -> StoredRun:
    return StoredRun(row.business_date, row.computed_at, row.partner_count, row.changed_count, row.policy_version)
