"""The policy version in force on a day, for the discount check's hot path (R-POL-01, R-STS-06).

The scheduled versions are re-read at most every ``refresh_seconds`` (one small query, the
documents of new versions only), and at once after this process registers one. A version
is registered before its effective date, so a stale second can only matter if program time
is moved past that date within it, on another replica.
"""

from __future__ import annotations

import time
from datetime import date

import sqlalchemy as sa

from ppcore.db import Database
from ppcore.policy import ProgramPolicy
from ppcore.policy_book import PolicyBook
from status_service.adapters.orm import PolicyVersionRow

_T = PolicyVersionRow.__table__


class PolicyInForce:
    def __init__(self, db: Database, base: ProgramPolicy, *, refresh_seconds: float = 1.0) -> None:
        self._db = db
        self._book = PolicyBook(base)
        self._refresh_seconds = refresh_seconds
        self._known: set[str] = set()
        self._read_at: float | None = None

    def invalidate(self) -> None:
        """Re-read on the next call (a version was just registered here)."""
        self._read_at = None

    async def on(self, day: date) -> ProgramPolicy:
        if self._read_at is None or time.monotonic() - self._read_at >= self._refresh_seconds:
            await self._refresh()
        return self._book.on(day)

    async def _refresh(self) -> None:
        async with self._db.engine.connect() as conn:
            versions = set((await conn.execute(sa.select(_T.c.version))).scalars())
            new = versions - self._known
            if new:
                query = sa.select(_T.c.effective_date, _T.c.version, _T.c.document).where(_T.c.version.in_(new))
                self._book.update((r.effective_date, r.version, r.document) for r in await conn.execute(query))
                self._known |= new
        self._read_at = time.monotonic()
