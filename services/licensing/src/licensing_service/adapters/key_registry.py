"""The key registry: commercial keys reported by the order system, and the verification read.

A key-facts reader is VerifyKey's only database access: one primary-key look-up on
``license_keys`` outside any unit of work (a read needs no transaction, outbox or lock).
On PostgreSQL it is a prepared statement on a small asyncpg pool of its own, a deliberate
branch for speed: VerifyKey is the hot path, and SQLAlchemy's per-call work cost it about
half its throughput; the rows read are kept in memory until PostgreSQL notifies their
change (``ppcore.notified_cache``, the license_keys triggers of migration licensing_0004).
Elsewhere (SQLite) it is the same query through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from licensing_service.adapters.orm import LicenseKeyRow
from licensing_service.domain import CommercialKey, KeyFacts, KeyKind, LicenseKey
from ppcore.batched_reads import BatchedKeyRead
from ppcore.db import Database
from ppcore.errors import AlreadyExists
from ppcore.hot_reads import HotReadPool
from ppcore.notified_cache import CachedKeyRead, NotifiedCache, mark_written, notified_cache

_FACTS = (
    sa.select(
        LicenseKeyRow.kind,
        LicenseKeyRow.edition,
        LicenseKeyRow.owner_id,
        LicenseKeyRow.activated,
        LicenseKeyRow.demo,
        LicenseKeyRow.revoked,
        LicenseKeyRow.valid_until,
    )
    .where(LicenseKeyRow.key == sa.bindparam("key"))
    .limit(1)
)


class KeyFactsReader(Protocol):
    async def facts(self, key: LicenseKey) -> KeyFacts | None: ...

    async def close(self) -> None: ...


def _facts(key: LicenseKey, row: Any) -> KeyFacts:
    return KeyFacts(
        key=key,
        kind=KeyKind(row["kind"]),
        edition=row["edition"],
        owner_id=row["owner_id"],
        activated=row["activated"],
        demo=row["demo"],
        revoked=row["revoked"],
        valid_until=row["valid_until"],
    )


class SqlKeyFactsReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def facts(self, key: LicenseKey) -> KeyFacts | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_FACTS, {"key": key.value})).mappings().first()
        return None if row is None else _facts(key, row)

    async def close(self) -> None:
        return None


# The channel the license_keys table's triggers notify.
LICENSE_KEYS_CHANNEL = "pp_license_keys_changed"

_PG_FACTS = (
    "SELECT key, kind, edition, owner_id, activated, demo, revoked, valid_until FROM license_keys WHERE key = ANY($1)"
)


class PgKeyFactsReader:
    """A prepared primary-key look-up through ppcore's hot-read pool; look-ups arriving
    together share one query (ppcore.batched_reads), each sent after its callers asked;
    answers are kept in ``cache`` until a change of their key is notified."""

    def __init__(self, database_url: str, *, max_size: int = 10, cache: NotifiedCache | None = None) -> None:
        self._pool = HotReadPool(database_url, max_size=max_size)
        self._batched = BatchedKeyRead(self._pool, _PG_FACTS, key_column="key")
        self._cache = cache
        self._reads = CachedKeyRead(self._read_facts, cache)  # keeps the facts, not the row

    async def _read_facts(self, key: Hashable) -> KeyFacts | None:
        row = await self._batched.fetchrow(key)
        return None if row is None else _facts(LicenseKey(str(key)), row)

    async def facts(self, key: LicenseKey) -> KeyFacts | None:
        facts: KeyFacts | None = await self._reads.fetchrow(key.value)
        return facts

    async def close(self) -> None:
        if self._cache is not None:
            await self._cache.close()
        await self._batched.close()
        await self._pool.close()


def key_facts_reader(db: Database) -> KeyFactsReader:
    if db.is_postgres:
        cache = notified_cache(db, LICENSE_KEYS_CHANNEL, name="license_keys")
        return PgKeyFactsReader(db.url, max_size=db.hot_read_pool_size, cache=cache)
    return SqlKeyFactsReader(db.engine)


class CommercialKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: LicenseKey) -> CommercialKey | None:
        """The commercial key ``key``; an NFR key of that text cannot be re-registered (R-NFR-10)."""
        row = await self._session.get(LicenseKeyRow, key.value, with_for_update=True)
        if row is None:
            return None
        if row.kind != KeyKind.COMMERCIAL.value:
            raise AlreadyExists(
                reason="KEY_ALREADY_REGISTERED",
                message=f"key: {key} is an NFR key, not a commercial one (R-NFR-10)",
                rule="R-NFR-10",
            )
        return CommercialKey(
            key=key,
            edition=row.edition,
            owner_client_id=row.owner_id,
            activated=row.activated,
            demo=row.demo,
            valid_until=row.valid_until,
            registered_at=row.registered_at,
            updated_at=row.updated_at,
        )

    async def save(self, key: CommercialKey) -> None:
        mark_written(self._session.info, LICENSE_KEYS_CHANNEL)  # VerifyKey's cache reads this commit
        row = await self._session.get(LicenseKeyRow, key.key.value)
        if row is None:
            row = LicenseKeyRow(key=key.key.value, kind=KeyKind.COMMERCIAL.value, revoked=False)
            self._session.add(row)
        row.edition = key.edition
        row.owner_id = key.owner_client_id
        row.activated = key.activated
        row.demo = key.demo
        row.valid_until = key.valid_until
        row.registered_at = key.registered_at
        row.updated_at = key.updated_at
        await self._session.flush()
