"""A daily job at a Kyiv wall-clock time, for embedded runs (Kubernetes uses a CronJob).

The job takes the Kyiv business date it runs for and must be idempotent per date: on
start the scheduler runs it for the latest past slot (a catch-up after downtime), then
sleeps until the next one. Time comes from the injected clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from ppcore.clock import KYIV, Clock, kyiv_datetime
from ppcore.logging import get_logger

log = get_logger("ppcore.scheduler")

DailyJob = Callable[[date], Awaitable[None]]


def latest_slot(now: datetime, hour: int, minute: int) -> date:
    """The Kyiv date of the most recent hh:mm slot at or before ``now``."""
    today = now.astimezone(KYIV).date()
    return today if now >= kyiv_datetime(today, hour, minute) else today - timedelta(days=1)


class DailyScheduler:
    def __init__(self, clock: Clock, hour: int, minute: int, job: DailyJob, name: str, *, tick: float = 30.0) -> None:
        self._clock = clock
        self._hour = hour
        self._minute = minute
        self._job = job
        self._name = name
        self._tick = tick

    async def run(self, stop: asyncio.Event) -> None:
        last_done: date | None = None
        while not stop.is_set():
            due = latest_slot(self._clock.now(), self._hour, self._minute)
            if due != last_done:
                try:
                    await self._job(due)
                    last_done = due
                    log.info("scheduler.job.done", job=self._name, business_date=due.isoformat())
                except Exception as exc:
                    log.exception("scheduler.job.failed", job=self._name, error=str(exc))
            next_slot = kyiv_datetime(due + timedelta(days=1), self._hour, self._minute)
            wait = max(0.0, min(self._tick, (next_slot - self._clock.now()).total_seconds()))
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait or self._tick)
            except TimeoutError:
                pass
