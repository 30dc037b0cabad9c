"""Fresh PostgreSQL databases for tests, created and dropped per run; a database can be
created as a copy of a template (one that was migrated once), which is faster than
migrating each one."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from ppcore.db import asyncpg_dsn

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("PP_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


async def postgres_available(url: str) -> str | None:
    """None when reachable, else the reason."""
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


async def create_database(url: str, prefix: str = "pp_test", *, template: str | None = None) -> str:
    """A new database named ``{prefix}_<random>``; with ``template`` (a database URL) a copy
    of that database, which nobody may be connected to meanwhile."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await conn.close()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def drop_database(admin: str, database_url: str) -> None:
    name = make_url(database_url).database
    conn = await asyncpg.connect(asyncpg_dsn(admin))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def until_query_running(admin: asyncpg.Connection, database_url: str, text: str, within: float = 30) -> None:
    """Wait until a query containing ``text`` runs on the server in that database (another
    session than ``admin``'s): a test can then act while the query is mid-flight."""
    database = database_url.rsplit("/", 1)[1]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        running = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
            " AND state = 'active' AND query LIKE $2",
            database,
            f"%{text}%",
        )
        if running:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{text} never ran")
