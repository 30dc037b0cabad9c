"""The hot-read pool: bounded connections, waiters served in turn, broken and cancelled
reads never hand a connection on, and nothing left open after close."""

import asyncio

import asyncpg
import pytest

from ppcore.db import asyncpg_dsn
from ppcore.hot_reads import HotReadPool
from ppcore.testing.postgres import until_query_running

pytestmark = [pytest.mark.postgres]


async def _backends(url: str, admin: asyncpg.Connection) -> int:
    database = url.rsplit("/", 1)[1]
    return int(await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", database))


async def test_bounded_concurrency_cancellation_and_close(make_pg_database):
    url = await make_pg_database()
    admin = await asyncpg.connect(asyncpg_dsn(url))
    pool = HotReadPool(url, max_size=3)
    try:
        # 40 concurrent reads over at most 3 connections, each read answered with its own value.
        values = await asyncio.gather(*(pool.fetchval("SELECT $1::int + 0 FROM pg_sleep(0.01)", i) for i in range(40)))
        assert values == list(range(40))
        assert pool.pool_state()["size"] <= 3
        assert await _backends(url, admin) == 1 + pool.pool_state()["size"]

        # A cancelled read closes its connection instead of handing on one mid-query.
        slow = asyncio.ensure_future(pool.fetchval("SELECT 1 FROM pg_sleep(30)"))
        waiting = [asyncio.ensure_future(pool.fetchval("SELECT $1::int", i)) for i in range(5)]
        await until_query_running(admin, url, "pg_sleep(30)")  # the slow read is mid-query
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await asyncio.wait_for(asyncio.gather(*waiting), timeout=30) == list(range(5))
        assert pool.pool_state()["size"] <= 3

        # A connection killed from outside fails one read; the next read gets a fresh one.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.rsplit("/", 1)[1],
        )
        answers = await asyncio.gather(*(pool.fetchval("SELECT 7") for _ in range(6)), return_exceptions=True)
        broken = asyncpg.PostgresError | asyncpg.InterfaceError | asyncpg.exceptions.InternalClientError
        assert all(a == 7 or isinstance(a, broken) for a in answers), answers
        assert await pool.fetchval("SELECT 8") == 8
        assert await pool.fetchrow("SELECT 1 AS a, 'b' AS b") == (1, "b")
    finally:
        await pool.close()
    assert pool.pool_state() == {"in_use": 0, "idle": 0, "size": 0}
    for _ in range(50):  # the server notices closed connections asynchronously
        if await _backends(url, admin) == 1:
            break
        await asyncio.sleep(0.1)
    assert await _backends(url, admin) == 1
    with pytest.raises(RuntimeError):
        await pool.fetchval("SELECT 1")
    await admin.close()
