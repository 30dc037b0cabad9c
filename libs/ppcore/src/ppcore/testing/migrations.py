"""The migration round trip every service proves: up, down and up again, on any database URL."""

from __future__ import annotations

import asyncio
from collections.abc import Set
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ppcore.db import Database
from ppcore.migrations import downgrade, upgrade


async def schema_of(url: str, metadata: sa.MetaData | None = None) -> tuple[set[str], list[object]]:
    """The table names of a database and, given ``metadata``, Alembic's diff against it."""
    db = Database(url)
    try:
        async with db.engine.connect() as conn:

            def inspect(sync_conn: sa.Connection) -> tuple[set[str], list[object]]:
                tables = set(sa.inspect(sync_conn).get_table_names())
                diff = compare_metadata(MigrationContext.configure(sync_conn), metadata) if metadata is not None else []
                return tables, list(diff)

            return await conn.run_sync(inspect)
    finally:
        await db.dispose()


async def assert_round_trip(
    migrations_dir: Path, url: str, tables: Set[str], *, metadata: sa.MetaData | None = None
) -> None:
    """Upgrade to head (``tables`` exist; with ``metadata``, the schema is exactly the ORM's),
    downgrade to base (none of ``tables`` is left), upgrade again (``tables`` exist)."""
    await asyncio.to_thread(upgrade, migrations_dir, url)
    found, diff = await schema_of(url, metadata)
    assert found >= tables
    assert diff == [], f"migrations and ORM differ: {diff}"
    await asyncio.to_thread(downgrade, migrations_dir, url)
    found, _ = await schema_of(url)
    assert not (tables & found)
    await asyncio.to_thread(upgrade, migrations_dir, url)
    found, _ = await schema_of(url)
    assert found >= tables
