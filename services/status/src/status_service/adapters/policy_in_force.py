"""The policy version in force on a day, for the discount check's hot path (R-POL-01, R-STS-06).

The scheduled versions are re-read at most every ``refresh_seconds`` (one small query, the
documents of new versions parsed once), and at once after this process registers one. A
version is registered before its effective date, so a stale second can only matter if
program time is moved past that date within it, on another replica.
"""

from __future__ import annotations

import time
from datetime import date

import sqlalchemy as sa

from ppcore.db import Database
from ppcore.policy import ProgramPolicy, parse_policy
from status_service.adapters.orm import PolicyVersionRow
from status_service.domain.policy_versions import ScheduledPolicy, policy_in_force

_T = PolicyVersionRow.__table__


class PolicyInForce:
    def __init__(self, db: Database, base: ProgramPolicy, *, refresh_seconds: float = 1.0) -> None:
        self._db = db
        self._base = base
        self._refresh_seconds = refresh_seconds
        self._parsed: dict[str, ScheduledPolicy] = {}
        self._read_at: float | None = None

    def invalidate(self) -> None:
        """Re-read on the next call (a version was just registered here)."""
        self._read_at = None

    async def on(self, day: date) -> ProgramPolicy:
        if self._read_at is None or time.monotonic() - self._read_at >= self._refresh_seconds:
            await self._refresh()
        return policy_in_force(self._base, self._parsed.values(), day)

    async def _refresh(self) -> None:
        async with self._db.engine.connect() as conn:
            known = set(self._parsed)
            rows = (await conn.execute(sa.select(_T.c.version, _T.c.effective_date, _T.c.registered_at))).all()
            new = [r.version for r in rows if r.version not in known]
            documents = (
                dict((await conn.execute(sa.select(_T.c.version, _T.c.document).where(_T.c.version.in_(new)))).all())
                if new
                else {}
            )
        for row in rows:
            if row.version in documents:
                policy = parse_policy(documents[row.version], f"policy version {row.version}")
                self._parsed[row.version] = ScheduledPolicy(policy, row.effective_date, row.registered_at, "")
        self._read_at = time.monotonic()
