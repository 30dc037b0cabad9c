"""Hot-path reads on PostgreSQL that skip the ORM: a small asyncpg pool and prepared statements.

For the few queries the sales platform or the product calls many times a second (one
primary-key look-up each), SQLAlchemy's per-call work costs more than the query. This
pool is created on first use (inside the server's event loop, once even under concurrent
first calls) and closed at shutdown; asyncpg caches each statement's preparation.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from ppcore.metrics import watch_pool


class HotReadPool:
    def __init__(self, database_url: str, *, max_size: int = 10) -> None:
        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        watch_pool(f"hot_reads:{make_url(database_url).database}", self)

    def pool_state(self) -> dict[str, int]:
        if self._pool is None:
            return {"in_use": 0, "idle": 0, "size": 0}
        size, idle = self._pool.get_size(), self._pool.get_idle_size()
        return {"in_use": size - idle, "idle": idle, "size": size}

    async def _create(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=self._max_size)
            return self._pool

    async def fetchrow(self, query: str, *args: Any) -> Any:
        return await (self._pool or await self._create()).fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await (self._pool or await self._create()).fetchval(query, *args)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
