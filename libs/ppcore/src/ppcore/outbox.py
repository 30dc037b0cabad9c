"""The outbox relay: moves committed event rows to JetStream, in order, at least once.

Each round claims the relay (one replica at a time, via ``FOR UPDATE SKIP LOCKED`` on a
one-row lock table, so per-partner order holds across replicas), reads the oldest
unpublished rows, publishes them as one asynchronous batch with ``Nats-Msg-Id`` set to
the event id (each after the first also names the one before it as the stream's
expected last message, so a message lost mid-batch is never overtaken by the next), waits
for the acks and marks the acknowledged prefix as published in the same transaction. A crash between publishing and marking republishes the same ids, and
JetStream drops them as duplicates (consumers also remember handled ids).

Each round also sets the backlog and oldest-unsent metrics from the rows it read (no
extra query unless a full batch leaves the count unknown); a replica that did not get the
claim reports nothing waiting, so the maximum over replicas is the relay's view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ppcore.bus import EventBus
from ppcore.clock import Clock
from ppcore.db import Database, PlatformTables
from ppcore.hot_reads import HotReadPool
from ppcore.logging import get_logger
from ppcore.metrics import OUTBOX_AGE, OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = get_logger("ppcore.outbox")

PUBLISH_ACK_TIMEOUT = 5.0


@dataclass
class RelayFaults:
    """Test hooks: called at the two points where a crash matters."""

    after_publish: Callable[[int], Awaitable[None]] | None = None


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        tables: PlatformTables,
        bus: EventBus,
        clock: Clock,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        faults: RelayFaults | None = None,
    ) -> None:
        self._db = db
        self._tables = tables
        self._bus = bus
        self._clock = clock
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._faults = faults or RelayFaults()
        self.published_total = 0
        # While running, an idle round is one indexed look-up on a plain connection: the
        # claim's transaction (session, pre-ping, lock, commit) is paid only when rows wait.
        self._peek: HotReadPool | None = None
        self._peek_query = f"SELECT 1 FROM {tables.outbox.name} WHERE published_at IS NULL LIMIT 1"
        OUTBOX_AGE.clock = lambda: clock.now().timestamp()

    def notify(self) -> None:
        """Wake the relay now (called after a commit that wrote outbox rows)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox.relay.started")
        if self._db.is_postgres:
            self._peek = HotReadPool(self._db.url, max_size=1, name="outbox_peek")
        try:
            await self._run(stop)
        finally:
            peek, self._peek = self._peek, None
            if peek is not None:
                await peek.close()
        log.info("outbox.relay.stopped")

    async def _run(self, stop: asyncio.Event) -> None:
        backoff = self._poll_seconds
        while not stop.is_set():
            try:
                moved = await self.relay_once()
                backoff = self._poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox.relay.failed", error=str(exc), error_type=type(exc).__name__)
                moved = 0
                backoff = min(backoff * 2, 5.0)
            if moved >= self._batch_size:
                continue  # more rows are waiting
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=backoff, return_when=asyncio.FIRST_COMPLETED)
            for task in (waiter, stopper):
                task.cancel()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were marked published."""
        if not self._db.is_postgres:
            return await self._relay_once_single()
        if self._peek is not None and await self._peek.fetchval(self._peek_query) is None:
            self._observe_backlog(None, 0)
            return 0
        return await self._relay_once_claimed()

    async def _relay_once_claimed(self) -> int:
        # The claim row stays locked while publishing, so a second replica skips this
        # round instead of publishing later rows ahead of these.
        lock = self._tables.relay_lock
        async with self._db.sessionmaker() as session, session.begin():
            claimed = await session.execute(
                sa.select(lock.c.id).where(lock.c.id == 1).with_for_update(skip_locked=True)
            )
            if claimed.first() is None:
                self._observe_backlog(None, 0)
                return 0
            rows = await self._unpublished(session)
            return await self._publish_and_mark(session, rows)

    async def _relay_once_single(self) -> int:
        # SQLite has one writer process; keep the write lock only for the short marking
        # transaction, never while waiting for NATS.
        async with self._db.sessionmaker() as session:
            async with session.begin():
                rows = await self._unpublished(session)
            if not rows:
                self._observe_backlog(None, 0)
                return 0
            async with session.begin():
                return await self._publish_and_mark(session, rows)

    async def _unpublished(self, session: AsyncSession) -> list[sa.Row[tuple[int, str, str, bytes, datetime]]]:
        outbox = self._tables.outbox
        result = await session.execute(
            sa.select(outbox.c.seq, outbox.c.event_id, outbox.c.subject, outbox.c.envelope, outbox.c.created_at)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(self._batch_size)
        )
        return list(result.all())  # type: ignore[arg-type]

    async def _publish_and_mark(
        self, session: AsyncSession, rows: list[sa.Row[tuple[int, str, str, bytes, datetime]]]
    ) -> int:
        if not rows:
            self._observe_backlog(None, 0)
            return 0
        acked = await self._publish(rows)
        if acked < len(rows):
            self._observe_backlog(rows[acked].created_at, len(rows) - acked)
        if self._faults.after_publish is not None:
            await self._faults.after_publish(acked)
        if acked == 0:
            return 0
        outbox = self._tables.outbox
        await session.execute(
            sa.update(outbox)
            .where(outbox.c.seq <= rows[acked - 1].seq, outbox.c.published_at.is_(None))
            .values(published_at=self._clock.now())
        )
        self.published_total += acked
        OUTBOX_PUBLISHED.inc(acked)
        if acked == len(rows):
            await self._observe_rest(session, len(rows))
        return acked

    async def _observe_rest(self, session: AsyncSession, batch: int) -> None:
        if batch < self._batch_size:
            self._observe_backlog(None, 0)
            return
        outbox = self._tables.outbox
        row = (
            await session.execute(
                sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
            )
        ).one()
        # A full batch: more may wait. The update above ran in this transaction, so the
        # count is what is left.
        self._observe_backlog(row[1], int(row[0]))

    @staticmethod
    def _observe_backlog(oldest: datetime | None, backlog: int) -> None:
        OUTBOX_BACKLOG.set(backlog)
        OUTBOX_AGE.oldest_unsent = oldest.timestamp() if oldest is not None and backlog else None

    async def _publish(self, rows: list[sa.Row[tuple[int, str, str, bytes, datetime]]]) -> int:
        """Publish rows in order; returns the length of the acknowledged prefix."""
        js = self._bus.js
        futures = []
        previous = ""
        for row in rows:
            headers = {"Nats-Msg-Id": row.event_id}
            if previous:
                # Chained to the row before it: if that one is lost in flight (NATS restarting
                # mid-batch), the server refuses this one instead of storing it ahead of the
                # lost one, and the next round republishes both in order.
                headers["Nats-Expected-Last-Msg-Id"] = previous
            previous = row.event_id
            try:
                futures.append(
                    await js.publish_async(row.subject, row.envelope, wait_stall=PUBLISH_ACK_TIMEOUT, headers=headers)
                )
            except Exception as exc:
                log.warning("outbox.relay.publish_failed", event_id=row.event_id, error=str(exc))
                break
        acked = 0
        if futures:
            done, _pending = await asyncio.wait(futures, timeout=PUBLISH_ACK_TIMEOUT)
            for future in futures:
                if future not in done or future.cancelled() or future.exception() is not None:
                    break
                acked += 1
            for future in futures:
                if not future.done():
                    future.cancel()
        return acked
