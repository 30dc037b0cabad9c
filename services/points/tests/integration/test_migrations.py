"""The points migrations go up, down and up again on PostgreSQL and on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from points_service.__main__ import MIGRATIONS_DIR
from ppcore.testing.migrations import assert_round_trip

TABLES = {"ledger_entries", "daily_totals", "daily_total_runs", "projects", "orders", "known_partners"}


async def _round_trip(url: str) -> None:
    await assert_round_trip(MIGRATIONS_DIR, url, TABLES)


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database):
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path):
    await _round_trip(f"sqlite:///{tmp_path / 'points.db'}")
