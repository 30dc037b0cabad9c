"""Hot-path rows kept in memory and dropped as soon as PostgreSQL says they changed.

A primary-key read on a hot path costs a database round trip, which in server CPU is
as much as the rest of the call (bench: the discount check and the key check). The rows
those reads return change rarely; the calls repeat for the same buyers and keys all day.
So each process keeps the rows it has read, and PostgreSQL tells it which to drop:

- **Triggers name the changed keys.** :func:`notify_trigger_sql` gives the migration of
  a table statement-level triggers that ``pg_notify`` the keys a statement inserted,
  updated or deleted (``*``, everything, for a statement that touched more than
  ``NOTIFY_MAX_KEYS`` rows or a TRUNCATE). A notification is sent at commit, so every
  writer, in any process or replica, or by hand in psql, is covered.
- **A row is trusted only while the process listens.** One connection per cache LISTENs
  on the table's channel. Until it listens, and from the moment it is lost, the cache is
  empty and every read goes to the database; it starts empty again once it listens.
- **A read never stores an answer older than a notification.** Each read takes the
  cache's generation when it starts; a notification (or a lost or new listen) moves the
  generation on, and an answer read across one is returned but not kept. A notification
  that arrives after an answer was kept drops it.

- **A process reads its own writes.** A repository that writes a watched table marks its
  session (:func:`mark_written`); after that unit of work commits, :func:`settle` sends a
  marker notification on the same channel and waits until the listener has seen it.
  PostgreSQL delivers notifications in commit order, so by then the commit's own
  notification has been applied, and the call that wrote returns only after it.

Freshness across processes is therefore that of a notification: an answer can be at most as old as the
delivery of the notification of the change that made it stale, typically well under a
millisecond on one network; a listen connection that goes silent is noticed by a check
every ``HEARTBEAT_SECONDS``. ``max_age_seconds`` bounds the age of any kept answer
whatever happens, and ``entries`` its memory (least recently used answers go first).
Misses, including "no such row", are stored too: a key reported later is an INSERT, which
notifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import random
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, MutableMapping
from typing import Any

import asyncpg
import structlog

from ppcore.db import Database, asyncpg_dsn
from ppcore.metrics import watch_hot_cache

log = structlog.get_logger("ppcore.notified_cache")

EVERYTHING = "*"
NOTIFY_MAX_KEYS = 1000  # a statement that changes more rows drops every answer at once
_PAYLOAD_BYTES = 7000  # pg_notify's limit is 8000 bytes: keys are sent in chunks below it
HEARTBEAT_SECONDS = 5.0
RECONNECT_SECONDS = (0.2, 5.0)  # first and longest pause before listening again
SETTLE_SECONDS = 2.0  # a marker not seen by then: everything kept is dropped instead
_MARKER = "!settled:"  # never the start of a key (keys are validated: "l:", "p:", base32)
WRITTEN_CHANNELS = "pp_notified_channels"  # session.info key: channels written in this transaction
_markers = itertools.count(1)
_caches: weakref.WeakSet[NotifiedCache] = weakref.WeakSet()


def mark_written(session_info: MutableMapping[Any, Any], channel: str) -> None:
    """Note that this transaction writes the table notifying ``channel`` (the unit of work
    settles the process's caches on it after commit)."""
    session_info.setdefault(WRITTEN_CHANNELS, set()).add(channel)


async def settle(channels: Iterable[str]) -> None:
    """Wait until this process's caches on ``channels`` have applied every change committed so far."""
    wanted = set(channels)
    for cache in [cache for cache in _caches if cache.channel in wanted]:
        await cache.settle()


def notify_trigger_sql(table: str, key_column: str, channel: str) -> list[str]:
    """Statements that make every change of ``table`` notify ``channel`` with its keys."""
    function = f"pp_notify_{table}_keys"
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text[];
    chunk text := '';
    changed_key text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('{channel}', '{EVERYTHING}');
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT {key_column}::text) INTO changed
        FROM (SELECT {key_column} FROM changed_new LIMIT {NOTIFY_MAX_KEYS + 1}) AS picked;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT {key_column}::text) INTO changed
        FROM (SELECT {key_column} FROM changed_old LIMIT {NOTIFY_MAX_KEYS + 1}) AS picked;
    ELSE
        SELECT array_agg(DISTINCT {key_column}::text) INTO changed
        FROM (
            (SELECT {key_column} FROM changed_old LIMIT {NOTIFY_MAX_KEYS + 1})
            UNION ALL (SELECT {key_column} FROM changed_new LIMIT {NOTIFY_MAX_KEYS + 1})
        ) AS picked;
    END IF;
    IF changed IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(changed) > {NOTIFY_MAX_KEYS} OR EXISTS (SELECT 1 FROM unnest(changed) AS k WHERE k LIKE E'%\\n%') THEN
        PERFORM pg_notify('{channel}', '{EVERYTHING}');
        RETURN NULL;
    END IF;
    FOREACH changed_key IN ARRAY changed LOOP
        IF chunk <> '' AND octet_length(chunk) + octet_length(changed_key) >= {_PAYLOAD_BYTES} THEN
            PERFORM pg_notify('{channel}', chunk);
            chunk := '';
        END IF;
        chunk := CASE WHEN chunk = '' THEN changed_key ELSE chunk || E'\\n' || changed_key END;
    END LOOP;
    PERFORM pg_notify('{channel}', chunk);
    RETURN NULL;
END
$$"""
    triggers = [
        f"CREATE TRIGGER {table}_notify_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed_new"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_notify_update AFTER UPDATE ON {table}"
        " REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_notify_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed_old"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_notify_truncate AFTER TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]
    return [create, *triggers]


def drop_notify_trigger_sql(table: str) -> list[str]:
    drops = [
        f"DROP TRIGGER IF EXISTS {table}_notify_{event} ON {table}"
        for event in ("insert", "update", "delete", "truncate")
    ]
    return [*drops, f"DROP FUNCTION IF EXISTS pp_notify_{table}_keys()"]


class NotifiedCache:
    """Rows by key, kept while PostgreSQL's notifications on ``channel`` say they are current."""

    def __init__(
        self,
        database_url: str,
        channel: str,
        *,
        entries: int,
        max_age_seconds: float,
        name: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self.channel = channel
        self.application_name = f"pp-listen:{channel}"  # the listen connection, in pg_stat_activity
        self._entries = entries
        self._max_age = max_age_seconds
        self._clock = clock
        self._rows: OrderedDict[Hashable, tuple[Any, float]] = OrderedDict()
        self.generation = 0  # moves on with every notification and every lost or new listen
        self.listening = False
        self.hits = 0
        self.misses = 0
        self.invalidations = 0
        self._listener: asyncio.Task[None] | None = None
        self._closed = False
        self._connection: asyncpg.Connection | None = None
        self._statement_lock = asyncio.Lock()  # the listen connection runs one statement at a time
        self._markers: dict[str, asyncio.Future[None]] = {}
        watch_hot_cache(name, self)
        _caches.add(self)

    # --- the hot path -------------------------------------------------------------------
    def get(self, key: Hashable) -> tuple[bool, Any]:
        """(True, row) for a kept answer (row may be None: no such key), else (False, None)."""
        kept = self._rows.get(key)
        if kept is not None and self._clock() - kept[1] < self._max_age:
            self._rows.move_to_end(key)
            self.hits += 1
            return True, kept[0]
        self.misses += 1
        return False, None

    def put(self, key: Hashable, row: Any, generation: int) -> None:
        """Keep ``row``, read by a query started at ``generation``, unless it may be stale."""
        if generation != self.generation or not self.listening:
            return
        self._rows[key] = (row, self._clock())
        self._rows.move_to_end(key)
        if len(self._rows) > self._entries:
            self._rows.popitem(last=False)

    def size(self) -> int:
        return len(self._rows)

    # --- notifications ------------------------------------------------------------------
    def start(self) -> None:
        """Start listening (inside the running loop); reads before that are not kept."""
        if self._listener is None and not self._closed:
            # A context of its own: not the request's (its log fields) that happened to start it.
            self._listener = asyncio.get_running_loop().create_task(
                self._listen_forever(), context=contextvars.Context()
            )

    def _forget(self, payload: str) -> None:
        if payload.startswith(_MARKER):
            marker = self._markers.get(payload)
            if marker is not None and not marker.done():
                marker.set_result(None)
            return
        self.invalidations += 1
        if payload == EVERYTHING:
            self._drop_everything()
            return
        self.generation += 1
        for key in payload.split("\n"):
            self._rows.pop(key, None)

    def _drop_everything(self) -> None:
        self.generation += 1
        self._rows.clear()

    async def _listen_forever(self) -> None:
        pause = RECONNECT_SECONDS[0]
        while not self._closed:
            try:
                await self._listen_once()
                pause = RECONNECT_SECONDS[0]
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database is down or the connection broke
                log.warning("notified_cache.listen_lost", channel=self.channel, error=str(error))
            finally:
                self.listening = False
                self._drop_everything()
            if not self._closed:
                await asyncio.sleep(pause * random.uniform(0.5, 1.0))
                pause = min(RECONNECT_SECONDS[1], pause * 2)

    async def _listen_once(self) -> None:
        connection = await asyncpg.connect(self._dsn, server_settings={"application_name": self.application_name})
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(self.channel, lambda *args: self._forget(args[3]))
            self._drop_everything()  # anything kept before this listen may have missed a change
            self._connection = connection
            self.listening = True
            log.info("notified_cache.listening", channel=self.channel)
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), HEARTBEAT_SECONDS)
                if not lost.is_set():
                    # A connection the network dropped silently says nothing: ask it.
                    async with self._statement_lock:
                        await connection.fetchval("SELECT 1", timeout=HEARTBEAT_SECONDS)
            raise ConnectionError("the listen connection was closed")
        finally:
            self.listening = False
            self._connection = None
            connection.terminate()

    async def settle(self) -> None:
        """Return once every notification committed before this call has been applied."""
        connection = self._connection
        if connection is None:
            return  # not listening: nothing is kept
        marker = f"{_MARKER}{next(_markers)}"
        seen = asyncio.get_running_loop().create_future()
        self._markers[marker] = seen
        try:
            async with self._statement_lock:
                await connection.execute("SELECT pg_notify($1, $2)", self.channel, marker)
            await asyncio.wait_for(seen, SETTLE_SECONDS)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
            log.warning("notified_cache.settle_failed", channel=self.channel, error=str(error))
            self._drop_everything()  # whatever the commit changed is no longer kept
        finally:
            del self._markers[marker]

    async def close(self) -> None:
        self._closed = True
        listener = self._listener
        if listener is not None:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
        self.listening = False
        self._rows.clear()


class CachedKeyRead:
    """``fetchrow(key)`` answered from a :class:`NotifiedCache` when it can, else by ``read``."""

    def __init__(self, read: Callable[[Hashable], Awaitable[Any]], cache: NotifiedCache | None) -> None:
        self._read = read
        self._cache = cache

    async def fetchrow(self, key: Hashable) -> Any:
        cache = self._cache
        if cache is None:
            return await self._read(key)
        found, row = cache.get(key)
        if found:
            return row
        cache.start()
        generation = cache.generation
        row = await self._read(key)
        cache.put(key, row, generation)
        return row


def notified_cache(db: Database, channel: str, *, name: str) -> NotifiedCache | None:
    """The process's cache for one hot read, or None where there is none (SQLite, or 0 entries)."""
    if not db.is_postgres or db.hot_read_cache_entries <= 0:
        return None
    return NotifiedCache(
        db.url, channel, entries=db.hot_read_cache_entries, max_age_seconds=db.hot_read_cache_seconds, name=name
    )
