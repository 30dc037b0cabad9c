"""Primary-key look-ups of a hot path, coalesced into one query (the DataLoader pattern).

Each look-up on its own costs a round trip and asyncpg's per-query work (encode, write,
read, decode, wake the caller), about as much server CPU as the rest of the call. Under
load many calls need the same look-up at about the same time: the keys asked for while a
read is in flight are read together by the next one, one prepared
``... WHERE key = ANY($1)``.

Freshness is that of a single read: a key is only ever answered by a query sent after it
was asked for, so every answer reflects the changes committed before the call arrived,
whichever replica made them. Nothing is cached here (``ppcore.notified_cache`` may keep
the answers, in front of this).

One read is in flight at a time. A key asked for when none is reads alone, in its
caller's task (an idle process pays nothing for batching). A key asked for while one is
in flight waits; when that read ends, one reader task sends every key that waited, and
goes on with the keys that arrived meanwhile until none are left. gRPC hands calls to the
event loop one at a time, so it is the read in flight, not the loop turn, that gathers a
batch: its size grows with the load, and a key waits at most for the read in flight.

Failures stay per caller. A batch that PostgreSQL or the driver refuses for its data (a
key no column can hold) is read again key by key, so one bad key fails only its own
caller; a lost connection or a database that is down fails that batch's callers with the
driver's error at once, and the next keys get a fresh connection. A caller that is
cancelled leaves its batch; the others get their answers.
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

    ``query`` takes the array of keys as ``$1`` (``... WHERE buyer_key = ANY($1)``) and
    returns ``key_column`` among its columns.
    """

    def __init__(self, pool: HotReadPool, query: str, *, key_column: str, max_batch: int = 256) -> None:
        self._pool = pool
        self._query = query
        self._key_column = key_column
        self._max_batch = max_batch
        self._pending: _Waiters = {}
        self._busy = False  # a read is in flight (alone or the reader's)
        self._reader: asyncio.Task[None] | None = None

    async def fetchrow(self, key: Hashable) -> Any:
        if not self._busy:
            return await self._read_alone(key)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        waiters = self._pending.get(key)
        if waiters is None:
            self._pending[key] = [answer]
        else:
            waiters.append(answer)
        return await answer

    async def _read_alone(self, key: Hashable) -> Any:
        self._busy = True
        try:
            rows = await self._pool.fetch(self._query, [key])
        finally:
            self._busy = False
            self._read_waiting()
        return rows[0] if rows else None

    def _read_waiting(self) -> None:
        """Start the reader for the keys that waited, if any."""
        if self._pending and not self._busy:
            self._busy = True
            self._reader = asyncio.get_running_loop().create_task(self._read_batches())

    async def _read_batches(self) -> None:
        try:
            while self._pending:
                await self._read_batch()
        finally:
            self._busy = False
            self._reader = None

    def _take(self) -> _Waiters:
        """The keys asked for so far, at most ``max_batch`` (the rest go in the next read)."""
        if len(self._pending) <= self._max_batch:
            batch, self._pending = self._pending, {}
            return batch
        return {key: self._pending.pop(key) for key in list(self._pending)[: self._max_batch]}

    async def _read_batch(self) -> None:
        batch: _Waiters = {}

        async def query(connection: asyncpg.Connection) -> list[Any]:
            nonlocal batch
            batch = self._take()  # once the connection is ours: sent after every key in it was asked
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
        """Stop the reader (the callers waiting on it get CancelledError)."""
        reader = self._reader
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        _fail(self._pending, asyncio.CancelledError())
        self._pending = {}


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
