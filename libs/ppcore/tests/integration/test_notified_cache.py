"""Hot-path rows kept in memory (ppcore.notified_cache) on a real PostgreSQL: the triggers
name exactly the keys a statement changed, a change drops the kept row, an answer read
across a change is not kept, and a lost listen connection empties the cache until it
listens again."""

import asyncio
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from ppcore.clock import SystemClock
from ppcore.db import Database, add_platform_tables, asyncpg_dsn
from ppcore.events import Naming
from ppcore.notified_cache import (
    EVERYTHING,
    NOTIFY_MAX_KEYS,
    WRITTEN_CHANNELS,
    CachedKeyRead,
    NotifiedCache,
    drop_notify_trigger_sql,
    mark_written,
    notify_trigger_sql,
    settle,
)
from ppcore.testing.polling import eventually
from ppcore.uow import SqlUnitOfWork

pytestmark = [pytest.mark.postgres]

CHANNEL = "kv_changed"


async def _until(condition: Callable[[], bool]) -> None:
    async def check() -> bool:
        return condition()

    await eventually(check, interval=0.01)


@pytest.fixture
async def kv(make_pg_database: Any) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    """A database with table kv ('k0'..'k99' -> 0..99), its notify triggers, and an admin connection."""
    url = await make_pg_database()
    admin = await asyncpg.connect(asyncpg_dsn(url))
    await admin.execute("CREATE TABLE kv (k text PRIMARY KEY, v int NOT NULL)")
    await admin.execute("INSERT INTO kv SELECT 'k' || n, n FROM generate_series(0, 99) AS n")
    for statement in notify_trigger_sql("kv", "k", CHANNEL):
        await admin.execute(statement)
    yield url, admin
    admin.terminate()


@pytest.fixture
async def heard(kv: tuple[str, asyncpg.Connection]) -> AsyncIterator[list[str]]:
    """The payloads notified on CHANNEL, in order."""
    url, _ = kv
    payloads: list[str] = []
    listener = await asyncpg.connect(asyncpg_dsn(url))
    await listener.add_listener(CHANNEL, lambda *args: payloads.append(args[3]))
    yield payloads
    listener.terminate()


async def _listening_cache(url: str, **kwargs: Any) -> NotifiedCache:
    cache = NotifiedCache(url, CHANNEL, entries=kwargs.pop("entries", 1000), max_age_seconds=300, name="kv", **kwargs)
    cache.start()
    await _until(lambda: cache.listening)
    return cache


def _keys(payloads: list[str]) -> set[str]:
    return {key for payload in payloads for key in payload.split("\n")}


async def test_triggers_name_the_keys_each_statement_changed(
    kv: tuple[str, asyncpg.Connection], heard: list[str]
) -> None:
    _, admin = kv
    await admin.execute("INSERT INTO kv VALUES ('new', 1)")
    await admin.execute("UPDATE kv SET v = v + 1 WHERE k IN ('k1', 'k2')")
    await admin.execute("UPDATE kv SET k = 'renamed' WHERE k = 'k3'")
    await admin.execute("DELETE FROM kv WHERE k = 'k4'")
    await admin.execute("UPDATE kv SET v = 0 WHERE false")  # no row: no notification
    await _until(lambda: len(heard) >= 4)
    assert [_keys([payload]) for payload in heard] == [{"new"}, {"k1", "k2"}, {"k3", "renamed"}, {"k4"}]


async def test_a_transaction_notifies_at_commit_and_a_rollback_not_at_all(
    kv: tuple[str, asyncpg.Connection], heard: list[str]
) -> None:
    url, admin = kv
    async with admin.transaction():
        await admin.execute("UPDATE kv SET v = 7 WHERE k = 'k7'")
        # A marker committed by another session now: a notification sent early would be heard first.
        other = await asyncpg.connect(asyncpg_dsn(url))
        await other.execute("SELECT pg_notify($1, 'marker')", CHANNEL)
        other.terminate()
        await _until(lambda: "marker" in heard)
        heard.remove("marker")
        assert heard == []
    transaction = admin.transaction()
    await transaction.start()
    await admin.execute("UPDATE kv SET v = 8 WHERE k = 'k8'")
    await transaction.rollback()
    await admin.execute("UPDATE kv SET v = 9 WHERE k = 'k9'")
    await _until(lambda: len(heard) >= 2)
    assert _keys(heard) == {"k7", "k9"}


async def test_big_statements_and_truncate_notify_everything(
    kv: tuple[str, asyncpg.Connection], heard: list[str]
) -> None:
    _, admin = kv
    await admin.execute(f"INSERT INTO kv SELECT 'b' || n, n FROM generate_series(1, {NOTIFY_MAX_KEYS + 1}) AS n")
    await admin.execute("TRUNCATE kv")
    await _until(lambda: len(heard) >= 2)
    assert heard == [EVERYTHING, EVERYTHING]


async def test_many_keys_are_sent_in_chunks_under_the_payload_limit(
    kv: tuple[str, asyncpg.Connection], heard: list[str]
) -> None:
    _, admin = kv
    long_keys = [f"{'x' * 60}{n}" for n in range(NOTIFY_MAX_KEYS)]
    await admin.executemany("INSERT INTO kv VALUES ($1, 0)", [(key,) for key in long_keys[:1]])
    await admin.execute("INSERT INTO kv SELECT unnest($1::text[]), 0", long_keys[1:])
    await _until(lambda: _keys(heard) == set(long_keys))
    assert len(heard) > 2 and all(len(payload.encode()) < 8000 for payload in heard)


async def test_the_trigger_sql_drops_cleanly(kv: tuple[str, asyncpg.Connection], heard: list[str]) -> None:
    _, admin = kv
    for statement in drop_notify_trigger_sql("kv"):
        await admin.execute(statement)
    await admin.execute("UPDATE kv SET v = 1")
    await admin.execute("SELECT pg_notify($1, 'marker')", CHANNEL)
    await _until(lambda: heard == ["marker"])


async def test_a_change_drops_the_kept_row_and_the_next_read_sees_it(kv: tuple[str, asyncpg.Connection]) -> None:
    url, admin = kv
    cache = await _listening_cache(url)
    reads: list[Hashable] = []

    async def read(key: Hashable) -> Any:
        reads.append(key)
        return await admin.fetchval("SELECT v FROM kv WHERE k = $1", key)

    cached = CachedKeyRead(read, cache)
    try:
        assert [await cached.fetchrow("k5") for _ in range(3)] == [5, 5, 5]
        assert await cached.fetchrow("nobody") is None
        assert await cached.fetchrow("nobody") is None  # "no such row" is kept too
        assert reads == ["k5", "nobody"]
        await admin.execute("UPDATE kv SET v = 50 WHERE k = 'k5'")
        await admin.execute("INSERT INTO kv VALUES ('nobody', 1)")
        await _until(lambda: cache.get("k5") == (False, None) and cache.get("nobody") == (False, None))
        assert await cached.fetchrow("k5") == 50
        assert await cached.fetchrow("nobody") == 1
        assert cache.hits >= 3 and cache.invalidations >= 2
    finally:
        await cache.close()


async def test_an_answer_read_across_a_change_is_returned_but_not_kept(kv: tuple[str, asyncpg.Connection]) -> None:
    url, admin = kv
    cache = await _listening_cache(url)
    read_started, change_heard = asyncio.Event(), asyncio.Event()

    async def read_then_change(key: Hashable) -> Any:
        old = await admin.fetchval("SELECT v FROM kv WHERE k = $1", key)
        read_started.set()
        await change_heard.wait()  # the row changes after it was read, before it is kept
        return old

    cached = CachedKeyRead(read_then_change, cache)
    try:
        reading = asyncio.create_task(cached.fetchrow("k6"))
        await read_started.wait()
        generation = cache.generation
        writer = await asyncpg.connect(asyncpg_dsn(url))
        await writer.execute("UPDATE kv SET v = 60 WHERE k = 'k6'")
        writer.terminate()
        await _until(lambda: cache.generation > generation)
        change_heard.set()
        assert await reading == 6
        assert cache.get("k6") == (False, None)
    finally:
        await cache.close()


async def test_a_lost_listen_empties_the_cache_and_keeps_nothing_until_it_listens_again(
    kv: tuple[str, asyncpg.Connection],
) -> None:
    url, admin = kv
    cache = await _listening_cache(url)
    try:
        cache.put("k1", 1, cache.generation)
        assert cache.get("k1") == (True, 1)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            cache.application_name,
        )
        assert killed == 1
        await _until(lambda: not cache.listening)
        assert cache.get("k1") == (False, None)
        cache.put("k1", 1, cache.generation)  # not listening: not kept
        assert cache.get("k1") == (False, None)
        await _until(lambda: cache.listening)
        cache.put("k1", 11, cache.generation)
        await admin.execute("UPDATE kv SET v = 11 WHERE k = 'k1'")
        await _until(lambda: cache.get("k1") == (False, None))  # notifications arrive again
    finally:
        await cache.close()


async def test_a_kept_row_ages_out_and_the_least_recently_used_goes_first(
    kv: tuple[str, asyncpg.Connection],
) -> None:
    url, _ = kv
    now = [0.0]
    cache = NotifiedCache(url, CHANNEL, entries=2, max_age_seconds=10, name="kv-bounded", clock=lambda: now[0])
    cache.start()
    await _until(lambda: cache.listening)
    try:
        for key in ("a", "b"):
            cache.put(key, key.upper(), cache.generation)
        assert cache.get("a") == (True, "A")  # a is now the most recently used
        cache.put("c", "C", cache.generation)
        assert (cache.get("b"), cache.get("a"), cache.get("c")) == ((False, None), (True, "A"), (True, "C"))
        now[0] = 10.0
        assert cache.get("a") == (False, None)
    finally:
        await cache.close()


async def test_settle_returns_once_the_commits_before_it_are_applied(kv: tuple[str, asyncpg.Connection]) -> None:
    url, admin = kv
    cache = await _listening_cache(url)
    try:
        for n in range(20):
            cache.put("k1", n, cache.generation)
            await admin.execute("UPDATE kv SET v = $1 WHERE k = 'k1'", n)
            await settle([CHANNEL])
            assert cache.get("k1") == (False, None), f"round {n}: the commit's notification was not applied"
        await settle(["another_channel"])  # no cache listens there: nothing to wait for
    finally:
        await cache.close()
    await settle([CHANNEL])  # a closed cache is not waited for


async def test_a_unit_of_work_that_marked_a_write_settles_after_commit(kv: tuple[str, asyncpg.Connection]) -> None:
    url, _ = kv
    cache = await _listening_cache(url)
    db = Database(url)
    try:
        async with db.sessionmaker() as session, session.begin():
            mark_written(session.info, CHANNEL)
            assert session.info[WRITTEN_CHANNELS] == {CHANNEL}
        settled = asyncio.Event()
        original = cache.settle

        async def noting() -> None:
            await original()
            settled.set()

        cache.settle = noting  # type: ignore[method-assign]
        uow = SqlUnitOfWork(
            db, add_platform_tables(sa.MetaData()), source="test", naming=Naming("test"), clock=SystemClock()
        )
        async with uow:
            mark_written(uow.session.info, CHANNEL)
            await uow.session.execute(sa.text("UPDATE kv SET v = 5 WHERE k = 'k5'"))
            await uow.commit()
            assert settled.is_set()
        settled.clear()
        async with uow:
            await uow.session.execute(sa.text("UPDATE kv SET v = 6 WHERE k = 'k6'"))
            await uow.commit()  # nothing marked: nothing to settle
            assert not settled.is_set()
    finally:
        await cache.close()
        await db.dispose()
