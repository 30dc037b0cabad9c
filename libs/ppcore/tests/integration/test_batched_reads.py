"""Batched key reads: many callers share few queries, each gets its own row; a bad key,
a cancelled caller, a killed connection or a database that is down fail only whom they
concern, cleanly and at once; and no key is answered by a read sent before it was asked."""

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from ppcore.batched_reads import BatchedKeyRead
from ppcore.db import asyncpg_dsn
from ppcore.hot_reads import HotReadPool
from ppcore.testing.pg_cluster import PG_BIN, PrivatePostgres
from ppcore.testing.postgres import until_query_running

pytestmark = [pytest.mark.postgres]

QUERY = "SELECT k, v FROM kv WHERE k = ANY($1)"
SLOW_QUERY = "SELECT k, v FROM kv, pg_sleep(0.3) WHERE k = ANY($1)"
# What a read on a connection that was cut, or to a server that is down, raises.
BROKEN = asyncpg.PostgresError | asyncpg.InterfaceError | asyncpg.exceptions.InternalClientError | OSError


class CountingPool(HotReadPool):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queries = 0

    async def run(self, work: Any) -> Any:
        self.queries += 1
        return await super().run(work)


async def _table(url: str) -> asyncpg.Connection:
    admin = await asyncpg.connect(asyncpg_dsn(url))
    await admin.execute("CREATE TABLE kv (k text PRIMARY KEY, v int NOT NULL)")
    await admin.execute("INSERT INTO kv SELECT 'k' || n, n FROM generate_series(0, 499) AS n")
    return admin


@pytest.fixture
async def kv(make_pg_database: Any) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    """A fresh database with table kv ('k0'..'k499' -> 0..499) and an admin connection to it."""
    url = await make_pg_database()
    admin = await _table(url)
    yield url, admin
    admin.terminate()


@contextlib.asynccontextmanager
async def _reader(url: str, query: str, pool: HotReadPool | None = None) -> AsyncIterator[BatchedKeyRead]:
    pool = pool or HotReadPool(url, max_size=2)
    reads = BatchedKeyRead(pool, query, key_column="k")
    try:
        yield reads
    finally:
        await reads.close()
        await pool.close()


async def test_many_callers_share_few_queries_and_each_gets_its_row(kv):
    url, _admin = kv
    pool = CountingPool(url, max_size=4)
    async with _reader(url, QUERY, pool) as reads:
        keys = [f"k{n % 300}" for n in range(400)] + [f"missing{n}" for n in range(50)]
        rows = await asyncio.gather(*(reads.fetchrow(key) for key in keys))
        for key, row in zip(keys, rows, strict=True):
            if key.startswith("missing"):
                assert row is None
            else:
                assert row["k"] == key and row["v"] == int(key[1:])
        assert pool.queries <= 10, pool.queries  # 450 look-ups, asked in one turn
        assert pool.pool_state()["size"] <= 4


async def test_a_key_no_column_can_hold_fails_only_its_caller(kv):
    url, _admin = kv
    async with _reader(url, QUERY) as reads:
        keys = ["k1", "bad\x00key", "k2", "nope"]
        answers = await asyncio.gather(*(reads.fetchrow(key) for key in keys), return_exceptions=True)
        assert answers[0]["v"] == 1 and answers[2]["v"] == 2 and answers[3] is None
        assert isinstance(answers[1], asyncpg.DataError), answers[1]
        assert (await reads.fetchrow("k3"))["v"] == 3


async def test_a_cancelled_caller_leaves_the_batch_and_the_others_are_answered(kv):
    url, admin = kv
    async with _reader(url, SLOW_QUERY) as reads:
        callers = [asyncio.ensure_future(reads.fetchrow(f"k{n}")) for n in range(5)]
        await until_query_running(admin, url, "pg_sleep(0.3)")
        callers[2].cancel()
        answers = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), timeout=30)
        assert isinstance(answers[2], asyncio.CancelledError)
        assert [a["v"] for n, a in enumerate(answers) if n != 2] == [0, 1, 3, 4]
        assert (await reads.fetchrow("k9"))["v"] == 9


async def test_a_key_is_never_answered_by_a_read_sent_before_it_was_asked(kv):
    url, admin = kv
    async with _reader(url, SLOW_QUERY) as reads:
        first = asyncio.ensure_future(reads.fetchrow("k1"))
        await until_query_running(admin, url, "pg_sleep(0.3)")  # its snapshot is taken
        await admin.execute("INSERT INTO kv VALUES ('new', 42)")  # committed before 'new' is asked
        assert (await asyncio.wait_for(reads.fetchrow("new"), timeout=30))["v"] == 42
        assert (await first)["v"] == 1


async def test_a_killed_connection_fails_its_batch_cleanly_and_the_next_read_works(kv):
    url, admin = kv
    async with _reader(url, SLOW_QUERY) as reads:
        callers = [asyncio.ensure_future(reads.fetchrow(f"k{n}")) for n in range(6)]
        await until_query_running(admin, url, "pg_sleep(0.3)")
        await admin.execute(  # what a PostgreSQL restart does to the connections
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.rsplit("/", 1)[1],
        )
        answers = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), timeout=30)
        assert all(isinstance(a, BROKEN) or a["k"] == f"k{n}" for n, a in enumerate(answers)), answers
        assert any(isinstance(a, BROKEN) for a in answers)
        assert (await asyncio.wait_for(reads.fetchrow("k7"), timeout=30))["v"] == 7


async def test_a_database_that_is_down_fails_every_caller_at_once():
    pool = HotReadPool("postgresql://postgres@127.0.0.1:9/nothing", max_size=2)  # nothing listens on port 9
    reads = BatchedKeyRead(pool, QUERY, key_column="k")
    try:
        answers = await asyncio.wait_for(
            asyncio.gather(*(reads.fetchrow(f"k{n}") for n in range(20)), return_exceptions=True), timeout=30
        )
        assert all(isinstance(a, OSError) for a in answers), answers
        assert pool.pool_state() == {"in_use": 0, "idle": 0, "size": 0}
    finally:
        await reads.close()
        await pool.close()


async def test_a_database_restart_fails_the_reads_in_flight_cleanly_and_the_next_ones_work():
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("PP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL binaries not found in {PG_BIN}")
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN}")
    # A cluster of this test's own (never the shared one), in a directory the postgres user may enter.
    pg = PrivatePostgres(Path(tempfile.mkdtemp(prefix="pp-batched-reads-pg-", dir=os.environ.get("PP_TEST_PG_DIR"))))
    pg.init()
    pg.start()
    url = pg.admin_url
    admin = await _table(url)
    pool = HotReadPool(url, max_size=2)
    reads = BatchedKeyRead(pool, SLOW_QUERY, key_column="k")
    try:
        assert (await reads.fetchrow("k1"))["v"] == 1
        in_flight = [asyncio.ensure_future(reads.fetchrow(f"k{n}")) for n in range(8)]
        await until_query_running(admin, url, "pg_sleep(0.3)")
        await asyncio.to_thread(pg.crash)
        admin.terminate()
        answers = await asyncio.wait_for(asyncio.gather(*in_flight, return_exceptions=True), timeout=30)
        assert all(isinstance(a, BROKEN) for a in answers), answers
        down = await asyncio.wait_for(
            asyncio.gather(*(reads.fetchrow(f"k{n}") for n in range(5)), return_exceptions=True), timeout=30
        )
        assert all(isinstance(a, OSError) for a in down), down
        await asyncio.to_thread(pg.start)
        assert (await asyncio.wait_for(reads.fetchrow("k2"), timeout=30))["v"] == 2
    finally:
        await reads.close()
        await pool.close()
        pg.stop()
        shutil.rmtree(pg.directory, ignore_errors=True)
