"""Persistence plumbing: one async engine per process, typed rows, platform tables.

The same code runs on PostgreSQL (asyncpg) and SQLite (aiosqlite). Every service
declares its rows on its own :class:`sqlalchemy.MetaData` built by
:func:`make_metadata`, and calls :func:`add_platform_tables` so its database holds the
outbox, the inbox of handled events and the idempotency keys next to its own tables.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> sa.MetaData:
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class PlatformTables:
    outbox: sa.Table
    inbox: sa.Table
    idempotency: sa.Table
    relay_lock: sa.Table


def add_platform_tables(metadata: sa.MetaData) -> PlatformTables:
    """Declare the outbox, inbox, idempotency and relay-lock tables on ``metadata``."""
    outbox = sa.Table(
        "outbox",
        metadata,
        # Monotonic: the relay publishes in this order, which keeps per-partner order.
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
    )
    sa.Index(
        "ix_outbox_unpublished",
        outbox.c.seq,
        sqlite_where=outbox.c.published_at.is_(None),
        postgresql_where=outbox.c.published_at.is_(None),
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.String(128), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
    )
    idempotency = sa.Table(
        "idempotency_keys",
        metadata,
        sa.Column("method", sa.String(128), primary_key=True),
        sa.Column("request_id", sa.String(128), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    relay_lock = sa.Table(
        "outbox_relay_lock",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
    )
    return PlatformTables(outbox=outbox, inbox=inbox, idempotency=idempotency, relay_lock=relay_lock)


def upsert_insert(dialect: str, table: sa.Table | type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that takes ``ON CONFLICT`` clauses (``on_conflict_do_nothing`` /
    ``on_conflict_do_update``), which PostgreSQL and SQLite both have, for ``dialect``."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


async def insert_many(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    same: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows (all with the same keys, plus the ``same`` values in every row) in one statement.

    On PostgreSQL each column travels as one array parameter and ``unnest`` turns the
    arrays back into rows: a single round trip whose parameters asyncpg encodes in C,
    several times faster than an executemany of thousands of rows. Other databases get
    the executemany.
    """
    if not rows:
        return
    same = same or {}
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(sa.insert(table), [{**row, **same} for row in rows])
        return
    columns: list[sa.ColumnElement[Any]] = []
    for name in rows[0]:
        array_type = postgresql.ARRAY(table.c[name].type)
        values = sa.bindparam(f"many_{name}", [row[name] for row in rows], type_=array_type)
        columns.append(sa.func.unnest(sa.cast(values, array_type)))
    for name, value in same.items():
        columns.append(sa.cast(sa.bindparam(f"same_{name}", value, type_=table.c[name].type), table.c[name].type))
    await session.execute(sa.insert(table).from_select([*rows[0], *same], sa.select(*columns)))


def asyncpg_dsn(url: str) -> str:
    """A PostgreSQL URL (any SQLAlchemy driver name) as the plain DSN asyncpg.connect takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def async_url(url: str) -> str:
    """Map plain URLs to the async drivers: postgresql -> asyncpg, sqlite -> aiosqlite."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif driver == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


class Database:
    """The engine and session factory of one process."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        hot_read_pool_size: int = 10,
        hot_read_cache_entries: int = 0,
        hot_read_cache_seconds: float = 300.0,
        echo: bool = False,
    ) -> None:
        self.url = async_url(url)
        # Connections of each hot-read pool (ppcore.hot_reads) opened on this database.
        self.hot_read_pool_size = hot_read_pool_size
        # Rows each hot-path cache (ppcore.notified_cache) keeps, 0: none; and their longest life.
        self.hot_read_cache_entries = hot_read_cache_entries if self.is_postgres else 0
        self.hot_read_cache_seconds = hot_read_cache_seconds
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_postgres:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        else:
            kwargs.update(connect_args={"timeout": 30})
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_postgres:
            event.listen(self.engine.sync_engine.pool, "checkin", _note_checkin)
            event.listen(self.engine.sync_engine.pool, "checkout", _ping_if_idle)
        else:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            # Writers take the lock when the transaction starts; a deferred BEGIN that
            # upgrades later can fail at once with "database is locked" under concurrency.
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    async def dispose(self) -> None:
        await self.engine.dispose()


# A pooled connection idle longer than this is pinged before use. SQLAlchemy's pre-ping
# pings on every checkout, and on asyncpg a ping is three round trips (BEGIN; ";";
# ROLLBACK): more than many reads themselves. A connection in steady use is not pinged; if
# the server went away meanwhile, the first statement fails, SQLAlchemy invalidates every
# connection opened before that moment, and the next checkouts connect afresh.
PING_IDLE_SECONDS = 1.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_IDLE_SECONDS:
        return  # new, or in steady use
    try:
        dbapi_connection.ping()
    except Exception as exc:
        # The pool discards this connection and checks out (or opens) another.
        raise sa.exc.DisconnectionError(str(exc)) from exc


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN instead of the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
