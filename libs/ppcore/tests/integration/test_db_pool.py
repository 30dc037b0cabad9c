"""The ORM pool pings a connection only after it sat idle, and replaces one that died meanwhile."""

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from ppcore import db as db_module
from ppcore.db import Database, asyncpg_dsn

pytestmark = [pytest.mark.postgres]


async def test_ping_only_when_idle_and_reconnect_after_the_server_dropped_us(make_pg_database, monkeypatch):
    url = await make_pg_database()
    pings = 0
    original = AsyncAdapt_asyncpg_connection.ping

    def counting_ping(self):
        nonlocal pings
        pings += 1
        return original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting_ping)
    monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.3)
    database = Database(url, pool_size=2)

    async def read() -> int:
        async with database.sessionmaker() as session:
            return int((await session.execute(sa.text("SELECT 41 + 1"))).scalar_one())

    try:
        # Steady use: no ping per checkout.
        for _ in range(20):
            assert await read() == 42
        assert pings == 0

        # The server drops every connection; after the idle time the ping finds out and
        # the read runs on a fresh connection, without an error.
        admin = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
        monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0)  # every pooled connection now counts as idle
        assert await read() == 42
        assert pings >= 1
    finally:
        await database.dispose()
