"""Primary-key look-ups of a hot path, coalesced into one query (the DataLoader pattern).

Each look-up on its own costs a round trip and asyncpg's per-query work (encode, write,
read, decode, wake the caller), about as much server CPU as the rest of the call. Under
load many calls reach the same look-up at about the same time: the keys asked for while
a read is being started are read together by one prepared ``... WHERE key = ANY($1)``.

Freshness is that of a single read: a key is only ever answered by a query sent after it
was asked for, so every answer reflects the changes committed before the call arrived,
whichever replica made them. Nothing is cached.

Batches form by themselves: a key asked for starts a reader task unless ``reads_at_once``
reads are in flight already; a reader takes every key asked for until it holds a
connection, and when a read ends the keys asked for meanwhile go out in the next. gRPC
delivers calls one event-loop turn at a time, so it is the read in flight, not the turn,
that gathers a batch: its size grows with the load, and a key waits at most for the reads
in flight to end before its own is sent. Failures stay per caller:
a batch that PostgreSQL or the driver refuses for its data (a key no column can hold) is
read again key by key, so one bad key fails only its own caller; a lost connection or a
database that is down fails the callers of that batch with the driver's error at once.
A caller that is cancelled leaves the batch; the others get their answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from typing import Any

import asyncpg

from ppcore.hot_reads import HotReadPool

_Waiters = dict[Hashable, list[asyncio.Future[Any]]]


class BatchedKeyRead:
    """``fetchrow(key)`` -> the row whose ``key_column`` is ``key``, or None.

    ``query`` takes the array of keys as ``$1`` (``... WHERE buyer_key = ANY($1::text[])``)
    and returns ``key_column`` among its columns.
    """

    def __init__(
        self, pool: HotReadPool, query: str, *, key_column: str, max_batch: int = 256, reads_at_once: int = 1
    ) -> None:
        self._pool = pool
        self._query = query
        self._key_column = key_column
        self._max_batch = max_batch
        self._reads_at_once = reads_at_once
        self._pending: _Waiters = {}
        self._gathering = False  # a reader has started and not yet taken the keys asked for
        self._readers: set[asyncio.Task[None]] = set()

    async def fetchrow(self, key: Hashable) -> Any:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        waiters = self._pending.get(key)
        if waiters is None:
            self._pending[key] = [answer]
        else:
            waiters.append(answer)
        self._maybe_start_reader()
        return await answer

    def _maybe_start_reader(self) -> None:
        if self._pending and not self._gathering and len(self._readers) < self._reads_at_once:
            self._gathering = True
            reader = asyncio.get_running_loop().create_task(self._read_batch())
            self._readers.add(reader)
            reader.add_done_callback(self._reader_done)

    def _reader_done(self, reader: asyncio.Task[None]) -> None:
        self._readers.discard(reader)
        self._maybe_start_reader()  # the keys asked for while every read was in flight

    def _take(self) -> _Waiters:
        """The keys asked for so far, at most ``max_batch`` (the rest wait for the next reader)."""
        self._gathering = False
        if len(self._pending) <= self._max_batch:
            batch, self._pending = self._pending, {}
        else:
            batch = {key: self._pending.pop(key) for key in list(self._pending)[: self._max_batch]}
        self._maybe_start_reader()
        return batch

    async def _read_batch(self) -> None:
        batch: _Waiters = {}

        async def query(connection: asyncpg.Connection) -> list[Any]:
            nonlocal batch
            batch = self._take()  # after the connection is ours: the read starts after every key was asked
            rows: list[Any] = await connection.fetch(self._query, list(batch))
            return rows

        try:
            rows = await self._pool.run(query)
        except asyncpg.DataError as refused:
            if len(batch) > 1:
                await asyncio.gather(*(self._read_one(key, waiters) for key, waiters in batch.items()))
            else:
                _fail(batch, refused)
            return
        except BaseException as error:
            if not batch:  # no connection was had: the keys gathered so far share its failure
                batch = self._take()
            _fail(batch, error)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        by_key = {row[self._key_column]: row for row in rows}
        for key, waiters in batch.items():
            _answer(waiters, by_key.get(key))

    async def _read_one(self, key: Hashable, waiters: list[asyncio.Future[Any]]) -> None:
        try:
            rows = await self._pool.fetch(self._query, [key])
        except Exception as error:
            _fail({key: waiters}, error)
            return
        _answer(waiters, rows[0] if rows else None)

    async def close(self) -> None:
        """Stop the readers in flight (their callers get CancelledError)."""
        for reader in list(self._readers):
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


def _answer(waiters: Sequence[asyncio.Future[Any]], row: Any) -> None:
    for waiter in waiters:
        if not waiter.done():  # a cancelled caller has left
            waiter.set_result(row)


def _fail(batch: _Waiters, error: BaseException) -> None:
    for waiters in batch.values():
        for waiter in waiters:
            if waiter.done():
                continue
            if isinstance(error, asyncio.CancelledError):
                waiter.cancel()
            else:
                waiter.set_exception(error)
