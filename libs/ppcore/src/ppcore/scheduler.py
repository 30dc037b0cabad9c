"""A daily job at a Kyiv wall-clock time, for embedded runs (Kubernetes uses a CronJob).

The job takes the Kyiv business date it runs for and must be idempotent per date. The
scheduler runs it once for every date whose hh:mm slot program time has crossed, in
date order: after a restart or a jump of program time it catches up the dates it
skipped, and the last date done is persisted (:class:`JobProgress`), so a restart
neither re-runs nor skips one. The first run ever does only the latest slot. Time comes
from the injected clock; a clock that can be moved (program time) wakes the scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ppcore.clock import KYIV, Clock, job_instant, kyiv_date, kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.logging import get_logger

log = get_logger("ppcore.scheduler")

DailyJob = Callable[[date], Awaitable[None]]


class JobProgress(Protocol):
    """Where the last date a daily job ran for is kept."""

    async def last_done(self, job: str) -> date | None: ...

    async def mark_done(self, job: str, day: date) -> None: ...

    async def followed(self, job: str, revision: int) -> None:
        """Say the job has caught up with program-time state ``revision``."""
        ...


class MemoryJobProgress:
    """Progress kept in memory: for tests and processes without a shared store."""

    def __init__(self) -> None:
        self.done: dict[str, date] = {}

    async def last_done(self, job: str) -> date | None:
        return self.done.get(job)

    async def mark_done(self, job: str, day: date) -> None:
        self.done[job] = max(day, self.done.get(job, day))

    async def followed(self, job: str, revision: int) -> None:
        return None


class MovableClock(Protocol):
    def now(self) -> datetime: ...

    @property
    def revision(self) -> int:
        """Which move of the clock it is at."""
        ...

    def moved(self) -> Awaitable[Any]:
        """Done when the clock next jumps (after this call)."""
        ...


def latest_slot(now: datetime, hour: int, minute: int) -> date:
    """The Kyiv date of the most recent hh:mm slot at or before ``now``."""
    today = now.astimezone(KYIV).date()
    return today if now >= kyiv_datetime(today, hour, minute) else today - timedelta(days=1)


def parse_iso_date(text: str, field_path: str) -> date:
    """An ISO 8601 date of a request field; INVALID_ARGUMENT naming the field otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument.for_field(
            field_path, f"{text[:32]!r} is not an ISO date (YYYY-MM-DD)", reason="INVALID_DATE"
        ) from None


def requested_job_day(text: str, field_path: str, now: datetime) -> tuple[date, datetime]:
    """The date a daily job's RPC was asked to run for (today when ``text`` is empty) and
    the instant it acts as of (:func:`ppcore.clock.job_instant`), for CronJobs and for
    operators re-running a day."""
    if not text:
        return kyiv_date(now), now
    day = parse_iso_date(text, field_path)
    try:
        return day, job_instant(day, now)
    except ValueError as exc:
        raise FailedPrecondition(reason="DATE_IN_FUTURE", message=f"{field_path}: {exc}") from None


class DailyScheduler:
    def __init__(
        self,
        clock: Clock,
        hour: int,
        minute: int,
        job: DailyJob,
        name: str,
        *,
        progress: JobProgress | None = None,
        moves: MovableClock | None = None,
        tick: float = 30.0,
    ) -> None:
        self._clock = clock
        self._hour = hour
        self._minute = minute
        self._job = job
        self.name = name
        self._progress = progress or MemoryJobProgress()
        self._moves = moves
        self._tick = tick
        self._followed = -1

    def slot(self, day: date) -> datetime:
        """The instant this job is due on ``day``."""
        return kyiv_datetime(day, self._hour, self._minute)

    async def catch_up(self) -> list[date]:
        """Run the job for each date due and not yet done, oldest first; the dates run.

        A failing date stops the round (it is retried next round, never skipped)."""
        revision = self._moves.revision if self._moves is not None else 0
        due = latest_slot(self._clock.now(), self._hour, self._minute)
        last = await self._progress.last_done(self.name)
        day = due if last is None else last + timedelta(days=1)
        ran: list[date] = []
        while day <= due:
            await self._job(day)
            await self._progress.mark_done(self.name, day)
            log.info("scheduler.job.done", job=self.name, business_date=day.isoformat())
            ran.append(day)
            day += timedelta(days=1)
        if revision != self._followed:
            await self._progress.followed(self.name, revision)
            self._followed = revision
        return ran

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.catch_up()
            except Exception as exc:
                log.exception("scheduler.job.failed", job=self.name, error=str(exc))
            now = self._clock.now()
            next_slot = self.slot(latest_slot(now, self._hour, self._minute) + timedelta(days=1))
            wait = max(0.0, min(self._tick, (next_slot - now).total_seconds())) or self._tick
            await self._sleep(stop, wait)

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Until ``stop``, ``seconds`` pass, or the clock is moved, whichever comes first."""
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
        if self._moves is not None:
            waits.append(asyncio.ensure_future(self._moves.moved()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiting
