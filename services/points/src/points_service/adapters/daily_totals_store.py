"""Daily active totals in SQL (R-PTS-05): every partner's total in set-based statements.

A run starts from the previous run's totals (``active_totals``) and reads only what moved
since that run's instant: the ledger is append-only (R-PTS-06), so a partner's total can
change only by an entry that started or stopped being active between the two instants (the
accrued_at / expires_at indexes, read alone) or by an entry recorded after the previous run
with an earlier accrual instant (a late entry: ``daily_totals_pending``, filled by a trigger).
Moved partners get the previous total plus the sum of their moves; partners with a late entry
are recounted from their whole ledger. The first run, and the first after the pending
entries were tracked (points_0008), aggregate the whole ledger instead (on PostgreSQL a
parallel streaming aggregate over the covering (partner_id, accrued_at) index) and
full-join it with ``active_totals``.

Either way only the partners whose total differs come back. Those are appended to
``daily_totals`` (a change log: a partner's total on a date is its latest row on or before
it) and folded into ``active_totals`` by one upsert. Nothing loops over partners, and the
run writes rows only for the partners that changed.

The aggregates are plain SELECTs on purpose: PostgreSQL runs them with parallel workers,
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

from points_service.adapters.orm import (
    ActiveTotalRow,
    DailyTotalPendingRow,
    DailyTotalRow,
    DailyTotalRunRow,
    Hundredths,
    LedgerEntryRow,
)
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
    # Taken with the pending entries tracked (points_0008): the next run may start from it.
    pending_tracked: bool = True


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

    async def claim_pending(self, business_date: date) -> None:
        """Mark the entries recorded so far as this run's, before its totals are read.

        In this order every entry the run claims is visible to the statements after it, and
        one committed meanwhile stays pending for the next run, which recounts its partner:
        nothing is counted twice or lost (runs are serialised by :meth:`lock_runs`).
        """
        await self._session.execute(
            sa.update(DailyTotalPendingRow)
            .where(DailyTotalPendingRow.claimed_by_run.is_(None))
            .values(claimed_by_run=business_date)
            .execution_options(synchronize_session=False)
        )

    async def drop_claimed(self, business_date: date) -> None:
        await self._session.execute(
            sa.delete(DailyTotalPendingRow)
            .where(DailyTotalPendingRow.claimed_by_run == business_date)
            .execution_options(synchronize_session=False)
        )

    async def changes_since(self, since: datetime, at: datetime, business_date: date) -> list[ChangedTotal]:
        """Every partner whose total at ``at`` differs from its total at ``since`` (the previous run's).

        Only entries that moved between the two instants are read, and the partners of late
        entries claimed by this run (accrued at or before ``since``, so missing from the
        previous totals or not) are recounted from their whole ledger.
        """
        if self._dialect == "postgresql":
            # The estimates of these small reads are far off (the same bounds on two columns),
            # and the cost they add up to makes PostgreSQL compile the plan: ~0.3 s of JIT for
            # ~0.1 s of work.
            await self._session.execute(sa.text("SET LOCAL jit = off"))
        ledger, pending, previous_row = LedgerEntryRow, DailyTotalPendingRow, ActiveTotalRow
        late = (
            sa.select(pending.partner_id)
            .where(pending.claimed_by_run == business_date, pending.accrued_at <= since)
            .distinct()
            .cte("late")
        )
        entered = sa.select(ledger.partner_id, ledger.amount.label("amount")).where(
            ledger.accrued_at > since, ledger.accrued_at <= at, ledger.expires_at > at
        )
        left = sa.select(ledger.partner_id, (-ledger.amount).label("amount")).where(
            ledger.expires_at > since, ledger.expires_at <= at, ledger.accrued_at <= since
        )
        moves = sa.union_all(entered, left).subquery("moves")
        moved = (
            sa.select(moves.c.partner_id, sa.func.sum(moves.c.amount).label("delta"))
            .where(~sa.exists().where(late.c.partner_id == moves.c.partner_id))
            .group_by(moves.c.partner_id)
            .subquery("moved")
        )
        recounted = (
            sa.select(ledger.partner_id, sa.func.sum(ledger.amount).label("total"))
            .join(late, late.c.partner_id == ledger.partner_id)
            .where(ledger.accrued_at <= at, ledger.expires_at > at)
            .group_by(ledger.partner_id)
            .subquery("recounted")
        )
        before = sa.func.coalesce(previous_row.total_points, 0)
        recount = sa.func.coalesce(recounted.c.total, 0)
        changed = sa.union_all(
            sa.select(moved.c.partner_id, (before + moved.c.delta).label("total"), before.label("previous"))
            .select_from(moved.outerjoin(previous_row, previous_row.partner_id == moved.c.partner_id))
            .where(moved.c.delta != 0),
            sa.select(late.c.partner_id, recount.label("total"), before.label("previous"))
            .select_from(
                late.outerjoin(recounted, recounted.c.partner_id == late.c.partner_id).outerjoin(
                    previous_row, previous_row.partner_id == late.c.partner_id
                )
            )
            .where(recount != before),
        ).subquery("changed")
        rows = await self._session.execute(
            sa.select(
                changed.c.partner_id,
                sa.type_coerce(changed.c.total, Hundredths()),
                sa.type_coerce(changed.c.previous, Hundredths()),
            ).order_by(changed.c.partner_id)
        )
        return [ChangedTotal(partner_id, now, was) for partner_id, now, was in rows]

    async def changes_at(self, at: datetime) -> list[ChangedTotal]:
        """Every partner whose total active at ``at`` (the whole ledger) differs from its latest computed total."""
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
                pending_tracked=True,
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
    return StoredRun(
        row.business_date,
        row.computed_at,
        row.partner_count,
        row.changed_count,
        row.policy_version,
        row.pending_tracked,
    )
