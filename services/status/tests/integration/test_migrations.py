"""The status migrations go up, down and up again on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from ppcore.db import async_url
from ppcore.migrations import downgrade, upgrade

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
TABLES = {"applications", "partners", "employees", "certificates", "status_history", "entitlements"}


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(async_url(url))
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def _round_trip(url: str) -> None:
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
    assert await _tables(url) >= TABLES
    await asyncio.to_thread(downgrade, MIGRATIONS_DIR, url)
    assert not (TABLES & await _tables(url))
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
    assert await _tables(url) >= TABLES


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database: Callable[[], Awaitable[str]]) -> None:
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    await _round_trip(f"sqlite:///{tmp_path / 'status.db'}")
