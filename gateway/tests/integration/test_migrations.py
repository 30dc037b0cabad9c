"""The gateway migrations go up, down and up again on PostgreSQL and SQLite, and leave
exactly the schema the ORM declares."""

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from gateway_service.__main__ import MIGRATIONS_DIR
from gateway_service.adapters.orm import metadata
from ppcore.db import async_url
from ppcore.migrations import downgrade, upgrade

GATEWAY_TABLES = {
    "directory_partners",
    "directory_competencies",
    "ranking_items",
    "partner_logins",
    "login_certificates",
    "partner_sanctions",
}


async def _schema(url: str) -> tuple[set[str], list[object]]:
    engine = create_async_engine(async_url(url))
    async with engine.connect() as conn:

        def inspect(sync_conn: sa.Connection) -> tuple[set[str], list[object]]:
            tables = set(sa.inspect(sync_conn).get_table_names())
            diff = compare_metadata(MigrationContext.configure(sync_conn), metadata)
            return tables, diff

        result = await conn.run_sync(inspect)
    await engine.dispose()
    return result


async def _round_trip(url: str) -> None:
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
    tables, diff = await _schema(url)
    assert tables >= GATEWAY_TABLES
    assert diff == [], f"migrations and ORM differ: {diff}"
    await asyncio.to_thread(downgrade, MIGRATIONS_DIR, url)
    tables, _ = await _schema(url)
    assert not (tables & GATEWAY_TABLES)
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url)
    tables, _ = await _schema(url)
    assert tables >= GATEWAY_TABLES


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database):
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path):
    await _round_trip(f"sqlite:///{tmp_path / 'gateway.db'}")
