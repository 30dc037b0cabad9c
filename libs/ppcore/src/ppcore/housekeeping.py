"""Keeps the platform tables small: published outbox rows, handled-event ids and
idempotency keys are deleted once they can no longer matter.

- outbox rows: a week after publication (JetStream holds the events from then on);
- inbox ids: after the stream's retention (30 days) plus margin, when no redelivery of
  that event can happen any more;
- idempotency keys: after 30 days, far beyond any client's retry window.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from ppcore.clock import Clock
from ppcore.db import Database, PlatformTables
from ppcore.logging import get_logger

log = get_logger("ppcore.housekeeping")

OUTBOX_KEEP = timedelta(days=7)
INBOX_KEEP = timedelta(days=35)
IDEMPOTENCY_KEEP = timedelta(days=30)


class Housekeeping:
    def __init__(self, db: Database, tables: PlatformTables, clock: Clock, *, every_seconds: float = 3600) -> None:
        self._db = db
        self._tables = tables
        self._clock = clock
        self._every = every_seconds

    async def run_once(self) -> dict[str, int]:
        now = self._clock.now()
        t = self._tables
        async with self._db.sessionmaker() as session, session.begin():
            outbox = await session.execute(
                sa.delete(t.outbox).where(
                    t.outbox.c.published_at.is_not(None), t.outbox.c.published_at < now - OUTBOX_KEEP
                )
            )
            inbox = await session.execute(sa.delete(t.inbox).where(t.inbox.c.handled_at < now - INBOX_KEEP))
            keys = await session.execute(
                sa.delete(t.idempotency).where(t.idempotency.c.created_at < now - IDEMPOTENCY_KEEP)
            )
        removed = {
            "outbox": int(outbox.rowcount or 0),  # type: ignore[attr-defined]
            "inbox": int(inbox.rowcount or 0),  # type: ignore[attr-defined]
            "idempotency_keys": int(keys.rowcount or 0),  # type: ignore[attr-defined]
        }
        if any(removed.values()):
            log.info("housekeeping.pruned", **removed)
        return removed

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:
                log.warning("housekeeping.failed", error=str(exc))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._every)
            except TimeoutError:
                pass
