"""The points migrations go up, down and up again on PostgreSQL and on SQLite, and the daily
totals keep their answers across points_0003 (full rows per date -> change log) both ways."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from points_service.__main__ import MIGRATIONS_DIR
from points_service.adapters.orm import metadata
from ppcore.db import Database
from ppcore.migrations import downgrade, upgrade
from ppcore.testing.migrations import assert_round_trip

TABLES = {
    "ledger_entries",
    "daily_totals",
    "daily_total_runs",
    "active_totals",
    "daily_totals_pending",
    "projects",
    "orders",
    "known_partners",
}

# Before points_0003 every run stored a row per partner with points (and one zero row on the
# date its points ran out). p-1: 10, 10, 15; p-2: 20, then 0 on day 3; p-3 only from day 2.
RUNS = ["2026-03-02", "2026-03-03", "2026-03-04"]
FULL_ROWS = [
    ("p-1", "2026-03-02", 1000, 0),
    ("p-2", "2026-03-02", 2000, 0),
    ("p-1", "2026-03-03", 1000, 1000),
    ("p-2", "2026-03-03", 2000, 2000),
    ("p-3", "2026-03-03", 500, 0),
    ("p-1", "2026-03-04", 1500, 1000),
    ("p-2", "2026-03-04", 0, 2000),
    ("p-3", "2026-03-04", 500, 500),
]


async def _round_trip(url: str) -> None:
    await assert_round_trip(MIGRATIONS_DIR, url, TABLES, metadata=metadata)


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database):
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path):
    await _round_trip(f"sqlite:///{tmp_path / 'points.db'}")


async def _rows(db: Database, sql: str) -> set[tuple[object, ...]]:
    async with db.engine.connect() as connection:
        return {tuple(str(v) for v in row) for row in await connection.execute(sa.text(sql))}


async def _daily_totals_survive_the_change_log_migration(url: str) -> None:
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url, "points_0002")
    db = Database(url)
    try:
        async with db.engine.begin() as connection:
            for day in RUNS:
                await connection.execute(
                    sa.text(
                        "INSERT INTO daily_total_runs VALUES (:d, '2026-03-01 21:00:00+00:00', 3, 1, 'v', "
                        "'2026-03-01 21:00:00+00:00')"
                    ).bindparams(sa.bindparam("d", type_=sa.Date())),
                    {"d": date.fromisoformat(day)},
                )
            for partner, day, total, previous in FULL_ROWS:
                await connection.execute(
                    sa.text(
                        "INSERT INTO daily_totals VALUES (:p, :d, :t, :b, '2026-03-01 21:00:00+00:00', 'v')"
                    ).bindparams(sa.bindparam("d", type_=sa.Date())),
                    {"p": partner, "d": date.fromisoformat(day), "t": total, "b": previous},
                )
        full = await _rows(db, "SELECT partner_id, business_date, total_points FROM daily_totals")

        await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
        assert await _rows(db, "SELECT partner_id, total_points FROM active_totals") == {
            ("p-1", "1500"),
            ("p-3", "500"),
        }
        assert await _rows(db, "SELECT partner_id, business_date FROM daily_totals") == {
            ("p-1", "2026-03-02"),
            ("p-2", "2026-03-02"),
            ("p-3", "2026-03-03"),
            ("p-1", "2026-03-04"),
            ("p-2", "2026-03-04"),
        }

        await asyncio.to_thread(downgrade, MIGRATIONS_DIR, url, "points_0002")
        restored = await _rows(db, "SELECT partner_id, business_date, total_points FROM daily_totals")
        assert restored == full
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_daily_totals_survive_the_change_log_migration_on_postgres(make_pg_database):
    """R-PTS-05: every computed date answers the same total before, after and back across points_0003."""
    await _daily_totals_survive_the_change_log_migration(await make_pg_database())


async def test_daily_totals_survive_the_change_log_migration_on_sqlite(tmp_path: Path):
    """R-PTS-05: the same on SQLite."""
    await _daily_totals_survive_the_change_log_migration(f"sqlite:///{tmp_path / 'points.db'}")
