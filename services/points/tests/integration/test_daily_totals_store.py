"""The daily totals run (R-PTS-05) against a real database, PostgreSQL and SQLite alike: one
set-based computation per date, a change log of totals, events only for changes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from points_service.__main__ import MIGRATIONS_DIR
from points_service.adapters.orm import platform_tables
from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.daily_totals import totals_instant
from points_service.domain.ledger import LedgerEntry, SourceType, new_accrual, reverse
from points_service.service_layer.daily_totals import daily_total, run_daily_totals
from ppcore.clock import FixedClock
from ppcore.db import Database
from ppcore.errors import FailedPrecondition, NotFound
from ppcore.events import Naming
from ppcore.migrations import upgrade_async
from ppcore.policy import ProgramPolicy
from ppcore.testing.plugin import require_postgres
from ppcore.testing.postgres import create_database, drop_database

DAY_1, DAY_2, DAY_3, DAY_4 = (date(2026, 3, d) for d in (2, 3, 4, 5))


class Points:
    def __init__(self, db: Database, policy: ProgramPolicy, clock: FixedClock) -> None:
        self.db, self.policy, self.clock = db, policy, clock

    def uow(self) -> PointsUnitOfWork:
        return PointsUnitOfWork(
            self.db,
            platform_tables,
            source="points",
            naming=Naming("t"),
            clock=self.clock,
            policy_version=self.policy.version,
        )

    async def accrue(self, partner_id: str, amount: int, accrued_at: datetime, entry_id: str) -> LedgerEntry:
        entry = new_accrual(
            entry_id=entry_id,
            partner_id=partner_id,
            source_type=SourceType.MARKETPLACE_MODULE,
            source_id=entry_id,
            amount=Decimal(amount),
            accrued_at=accrued_at,
            decided_by="system",
            policy_version=self.policy.version,
        )
        async with self.uow() as uow:
            uow.record_entry(entry)
            await uow.commit()
        return entry

    async def reverse(self, original: LedgerEntry, at: datetime) -> None:
        correction = reverse(
            original,
            entry_id=f"rv-{original.entry_id}",
            at=at,
            decided_by="staff",
            reason="withdrawn",
            policy_version="v",
        )
        async with self.uow() as uow:
            uow.record_entry(correction)
            await uow.commit()

    async def run(self, day: date) -> Any:
        self.clock.set(max(self.clock.now(), totals_instant(day, self.policy) + timedelta(minutes=5)))
        async with self.uow() as uow:
            run = await run_daily_totals(uow, day, now=self.clock.now(), policy=self.policy)
            await uow.commit()
        return run

    async def total(self, partner_id: str, day: date | None) -> Decimal:
        async with self.uow() as uow:
            return (await daily_total(uow, partner_id, day)).total

    async def count(self, sql: str) -> int:
        async with self.db.engine.connect() as connection:
            return int((await connection.execute(sa.text(sql))).scalar_one())

    async def total_events(self) -> int:
        return await self.count("SELECT count(*) FROM outbox WHERE subject LIKE '%.active_total_changed'")


async def _points(url: str, policy: ProgramPolicy) -> AsyncIterator[Points]:
    await upgrade_async(MIGRATIONS_DIR, url)
    db = Database(url)
    yield Points(db, policy, FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))
    await db.dispose()


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
async def points(request: pytest.FixtureRequest, tmp_path: Path, policy: ProgramPolicy) -> AsyncIterator[Points]:
    if request.param == "sqlite":
        async for harness in _points(f"sqlite:///{tmp_path / 'points.db'}", policy):
            yield harness
        return
    admin = await require_postgres()
    url = await create_database(admin)
    try:
        async for harness in _points(url, policy):
            yield harness
    finally:
        await drop_database(admin, url)


async def test_a_run_stores_and_announces_only_the_totals_that_changed(points: Points) -> None:
    """R-PTS-05: the first run stores every partner with points; later runs only the changes; a re-run nothing."""
    morning = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    await points.accrue("p-1", 10, morning, "a-1")
    module = await points.accrue("p-2", 20, morning, "a-2")

    first = await points.run(DAY_1)
    assert (first.partner_count, first.changed_count) == (2, 2)
    assert await points.total_events() == 2
    stored = await points.count("SELECT count(*) FROM daily_totals")

    again = await points.run(DAY_1)
    assert again == first
    assert (await points.total_events(), await points.count("SELECT count(*) FROM daily_totals")) == (2, stored)

    quiet = await points.run(DAY_2)
    assert (quiet.partner_count, quiet.changed_count) == (2, 0)
    assert await points.count("SELECT count(*) FROM daily_totals") == stored
    assert await points.total("p-1", DAY_2) == Decimal("10.00")

    await points.accrue("p-1", 5, datetime(2026, 3, 4, 9, 0, tzinfo=UTC), "a-3")
    await points.reverse(module, datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    third = await points.run(DAY_3)
    assert (third.partner_count, third.changed_count) == (2, 2)  # p-2 dropped to zero today
    assert await points.total_events() == 4
    assert (await points.total("p-1", DAY_3), await points.total("p-2", DAY_3)) == (Decimal("15.00"), Decimal("0"))

    fourth = await points.run(DAY_4)
    assert (fourth.partner_count, fourth.changed_count) == (1, 0)
    # Every computed date still answers with the total it had.
    assert [await points.total("p-1", d) for d in (DAY_1, DAY_2, DAY_3, DAY_4)] == [10, 10, 15, 15]
    assert [await points.total("p-2", d) for d in (DAY_1, DAY_2, DAY_3, DAY_4)] == [20, 20, 0, 0]
    assert await points.total("p-1", None) == Decimal("15.00")
    with pytest.raises(NotFound):  # a partner points does not know is not a zero total
        await points.total("nobody", DAY_2)


async def test_an_entry_recorded_late_counts_in_the_next_run(points: Points) -> None:
    """R-PTS-05: an entry recorded after a run with an earlier accrual instant is pending, and
    the next run recounts its partner, so it is in the next total rather than lost."""
    await points.accrue("p-1", 10, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "a-1")
    await points.run(DAY_1)
    await points.accrue("p-1", 7, datetime(2026, 3, 1, 8, 0, tzinfo=UTC), "late")
    second = await points.run(DAY_2)
    assert second.changed_count == 1
    assert (await points.total("p-1", DAY_1), await points.total("p-1", DAY_2)) == (Decimal(10), Decimal(17))


async def test_a_date_before_the_latest_run_is_refused_and_changes_nothing(points: Points) -> None:
    """R-PTS-05: dates are computed in order; history is never rewritten."""
    await points.accrue("p-1", 10, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "a-1")
    await points.run(DAY_2)
    with pytest.raises(FailedPrecondition) as refused:
        await points.run(DAY_1)
    assert refused.value.reason == "DAILY_TOTALS_OUT_OF_ORDER"
    assert await points.count("SELECT count(*) FROM daily_total_runs") == 1


@pytest.mark.postgres
async def test_concurrent_runs_of_a_date_compute_it_once(make_pg_database: Any, policy: ProgramPolicy) -> None:
    """R-PTS-05: the scheduler and an ops call racing on one date give one run and one set of events."""
    async for points in _points(await make_pg_database(), policy):
        for n in range(50):
            await points.accrue(f"p-{n}", n + 1, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), f"a-{n}")
        runs = await asyncio.gather(*(points.run(DAY_1) for _ in range(4)))
        assert {r.changed_count for r in runs} == {50}
        assert await points.total_events() == 50
        assert await points.count("SELECT count(*) FROM daily_totals") == 50


async def _whole_ledger_disagrees(points: Points, day: date) -> list[Any]:
    """What a run reading the whole ledger would still change after the run of ``day``."""
    async with points.uow() as uow:
        return await uow.daily_totals.changes_at(totals_instant(day, points.policy))


async def test_runs_from_the_previous_totals_agree_with_the_whole_ledger(points: Points) -> None:
    """R-PTS-05/06: a run reads only entries that started or stopped being active since the
    previous run, and partners with late entries; after every run the whole ledger agrees."""
    rng = random.Random(16)
    days = [date(2026, 3, d) for d in range(2, 12)]
    year_ago = datetime(2025, 3, 2, 8, 0, tzinfo=UTC)
    entries: list[LedgerEntry] = []
    for n in range(120):  # accrued over the year before, some expiring during the run days
        accrued = year_ago + timedelta(hours=rng.randrange(24 * 375))
        entries.append(await points.accrue(f"p-{n % 17}", rng.randrange(1, 90), accrued, f"seed-{n}"))
    for i, day in enumerate(days):
        instant = totals_instant(day, points.policy)
        for k in range(6):  # the day's accruals, a few after the run instant
            accrued = instant - timedelta(hours=rng.randrange(-3, 22))
            entries.append(await points.accrue(f"p-{rng.randrange(20)}", rng.randrange(1, 90), accrued, f"d{i}-{k}"))
        if i % 3 == 1:  # a late entry accrued weeks ago, and a reversal of an older one
            late = instant - timedelta(hours=25 if i == 1 else rng.randrange(26, 60 * 24))  # 25 h: before the last run
            entries.append(await points.accrue(f"p-{rng.randrange(20)}", 40, late, f"late-{i}"))
            await points.reverse(entries.pop(rng.randrange(len(entries) - 8)), instant - timedelta(hours=2))
        run = await points.run(day)
        assert await _whole_ledger_disagrees(points, day) == [], day
        assert run.changed_count > 0
    assert await points.count("SELECT count(*) FROM daily_totals_pending") == 0


async def test_the_first_run_with_pending_entries_tracked_reads_the_whole_ledger(points: Points) -> None:
    """A run stored before points_0008 (or an entry recorded before it) leaves nothing pending:
    the run after it cannot start from its totals and reads the whole ledger."""
    await points.accrue("p-1", 10, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "a-1")
    await points.run(DAY_1)
    await points.accrue("p-1", 7, datetime(2026, 3, 1, 8, 0, tzinfo=UTC), "before-the-migration")
    async with points.db.engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM daily_totals_pending"))
        await connection.execute(sa.text("UPDATE daily_total_runs SET pending_tracked = false"))
    second = await points.run(DAY_2)
    assert (second.changed_count, await points.total("p-1", DAY_2)) == (1, Decimal(17))
    third = await points.run(DAY_3)  # tracked from DAY_2 on
    assert (third.changed_count, await points.total("p-1", DAY_3)) == (0, Decimal(17))
