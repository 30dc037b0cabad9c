"""The points migrations go up, down and up again on PostgreSQL and on SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from points_service.__main__ import MIGRATIONS_DIR
from ppcore.db import Database
from ppcore.migrations import downgrade, upgrade

TABLES = {"ledger_entries", "daily_totals", "daily_total_runs", "projects", "orders", "known_partners"}


async def _tables(url: str) -> set[str]:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await db.dispose()


async def _round_trip(url: str) -> None:
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
    assert await _tables(url) >= TABLES
    await asyncio.to_thread(downgrade, MIGRATIONS_DIR, url)
    assert not TABLES & await _tables(url)
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
    assert await _tables(url) >= TABLES


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database):
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path):
    await _round_trip(f"sqlite:///{tmp_path / 'points.db'}")
