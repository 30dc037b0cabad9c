"""Hot-path reads on PostgreSQL that skip the ORM: a few plain asyncpg connections.

For the few queries the sales platform or the product calls many times a second (one
primary-key look-up each), SQLAlchemy's per-call work costs more than the query, and so
does asyncpg's own pool: its acquire/release machinery and the reset query it sends when
a connection goes back (``RESET ALL; UNLISTEN *; CLOSE ALL ...``, a second round trip per
read). These reads are single statements that change no session state, so there is
nothing to reset. This pool keeps idle connections in a queue and hands a released one
straight to the oldest waiter; asyncpg caches each statement's preparation per connection.

Connections are opened on demand (inside the server's event loop) up to ``max_size``. A
read that fails or is cancelled closes its connection rather than returning one whose
state is unknown; the next read opens a fresh one, so a restarted PostgreSQL costs the
reads that were in flight and nothing more.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from ppcore.db import asyncpg_dsn
from ppcore.metrics import watch_pool

T = TypeVar("T")


class HotReadPool:
    def __init__(self, database_url: str, *, max_size: int = 10, name: str = "hot_reads") -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._max_size = max_size
        self._idle: deque[asyncpg.Connection] = deque()
        self._waiters: deque[asyncio.Future[asyncpg.Connection]] = deque()
        self._size = 0  # open connections, idle or in use, plus those being opened
        self._closed = False
        self._opening: set[asyncio.Task[None]] = set()
        watch_pool(f"{name}:{make_url(database_url).database}", self)

    def pool_state(self) -> dict[str, int]:
        idle = len(self._idle)
        return {"in_use": self._size - idle, "idle": idle, "size": self._size}

    async def _acquire(self) -> asyncpg.Connection:
        if self._closed:
            raise RuntimeError("hot-read pool is closed")
        while self._idle:
            connection = self._idle.popleft()
            if not connection.is_closed():
                return connection
            self._size -= 1  # lost while idle (server restart, idle timeout)
        if self._size < self._max_size:
            self._size += 1
            try:
                return await asyncpg.connect(self._dsn)
            except BaseException:
                self._size -= 1
                raise
        waiter: asyncio.Future[asyncpg.Connection] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Cancelled after a connection was handed over: give it to the next caller.
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            else:
                self._waiters.remove(waiter)
            raise

    def _release(self, connection: asyncpg.Connection) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    def _discard(self, connection: asyncpg.Connection) -> None:
        self._size -= 1
        connection.terminate()
        # A waiter would otherwise wait for a connection that is never released.
        while self._waiters and self._size < self._max_size:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._size += 1
                task = asyncio.ensure_future(self._open_for(waiter))
                self._opening.add(task)
                task.add_done_callback(self._opening.discard)
                return

    async def _open_for(self, waiter: asyncio.Future[asyncpg.Connection]) -> None:
        try:
            connection = await asyncpg.connect(self._dsn)
        except Exception as exc:
            self._size -= 1
            if not waiter.done():
                waiter.set_exception(exc)
            return
        if waiter.done():
            self._release(connection)
        else:
            waiter.set_result(connection)

    async def run(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """``work`` on a connection of the pool; a failed or cancelled one is closed, not reused."""
        connection = await self._acquire()
        try:
            result = await work(connection)
        except BaseException:
            self._discard(connection)
            raise
        if self._closed:
            self._size -= 1
            await connection.close()
        else:
            self._release(connection)
        return result

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        return await self.run(lambda connection: connection.fetch(query, *args))

    async def fetchrow(self, query: str, *args: Any) -> Any:
        return await self.run(lambda connection: connection.fetchrow(query, *args))

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self.run(lambda connection: connection.fetchval(query, *args))

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = list(self._idle), deque()
        self._size -= len(idle)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(RuntimeError("hot-read pool is closed"))
        self._waiters.clear()
        for connection in idle:
            await connection.close()
