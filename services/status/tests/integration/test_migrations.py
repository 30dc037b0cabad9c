"""The status migrations go up, down and up again on PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from ppcore.testing.migrations import assert_round_trip

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
TABLES = {
    "applications",
    "partners",
    "employees",
    "certificates",
    "status_history",
    "entitlements",
    "leads",
    "lead_offers",
}


async def _round_trip(url: str) -> None:
    await assert_round_trip(MIGRATIONS_DIR, url, TABLES)


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database: Callable[[], Awaitable[str]]) -> None:
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    await _round_trip(f"sqlite:///{tmp_path / 'status.db'}")
