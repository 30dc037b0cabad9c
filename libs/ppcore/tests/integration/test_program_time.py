"""Program time moved through the one control, followed by every process, on a real
nats-server; daily jobs run once for each date it crosses (DESIGN: Time, R-POL-02)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import nats
import pytest
from nats.aio.client import Client

from ppcore.clock import FixedClock, kyiv_datetime
from ppcore.program_time import KvJobProgress, ProgramClock, ProgramTimeControl, ProgramTimeFollower
from ppcore.scheduler import DailyScheduler

pytestmark = [pytest.mark.nats]


@pytest.fixture
async def nc(nats_server) -> AsyncIterator[Client]:
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


async def _follower(nc: Client, namespace: str, name: str, stop: asyncio.Event) -> tuple[ProgramClock, asyncio.Task]:
    clock = ProgramClock()
    follower = ProgramTimeFollower(nc.jetstream(), namespace, clock, name)
    await follower.start()
    return clock, asyncio.create_task(follower.run(stop))


async def test_one_control_moves_program_time_for_every_process(nc, nats_namespace):
    """Set, advance and read back: every follower uses the same program time and says so."""
    control = ProgramTimeControl(nc.jetstream(), nats_namespace)
    stop = asyncio.Event()
    status_clock, status_task = await _follower(nc, nats_namespace, "status", stop)
    points_clock, points_task = await _follower(nc, nats_namespace, "points", stop)
    try:
        start = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
        revision = await control.set_time(start)
        reading = await control.wait_followed(revision, {"status", "points"}, within=10)
        assert status_clock.now() == points_clock.now() == start
        assert {n: r.program_time for n, r in reading.processes.items()} == {"status": start, "points": start}

        revision = await control.advance(timedelta(days=30))
        await control.wait_followed(revision, {"status", "points"}, within=10)
        assert status_clock.now() == points_clock.now() == start + timedelta(days=30)
        assert (await control.read()).program_time == start + timedelta(days=30)

        # A process started later (a restart) follows the current state before it serves.
        late_clock, late_task = await _follower(nc, nats_namespace, "licensing", stop)
        assert late_clock.now() == start + timedelta(days=30)
    finally:
        stop.set()
        await asyncio.gather(status_task, points_task, late_task)


async def test_running_program_time_runs_on_from_where_it_was_set(nc, nats_namespace):
    wall = FixedClock(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    control = ProgramTimeControl(nc.jetstream(), nats_namespace, wall=wall)
    stop = asyncio.Event()
    clock = ProgramClock(wall)
    follower = ProgramTimeFollower(nc.jetstream(), nats_namespace, clock, "gateway")
    await follower.start()
    task = asyncio.create_task(follower.run(stop))
    try:
        start = datetime(2030, 1, 1, tzinfo=UTC)
        revision = await control.set_time(start, frozen=False)
        await control.wait_followed(revision, {"gateway"}, within=10)
        assert clock.now() == start
        wall.advance(timedelta(minutes=7))
        assert clock.now() == start + timedelta(minutes=7)
    finally:
        stop.set()
        await task


async def test_daily_job_runs_once_per_crossed_date_and_a_restart_carries_on(nc, nats_namespace):
    """R-PTS-05 / DESIGN Time: advancing program time 3 days runs the 23:00 job for each
    date once, in order; a restarted scheduler neither re-runs nor skips a date."""
    js = nc.jetstream()
    control = ProgramTimeControl(js, nats_namespace)
    await control.set_time(kyiv_datetime(date(2027, 3, 10), 23, 30))
    ran: list[date] = []

    async def job(day: date) -> None:
        ran.append(day)

    async def run_scheduler(stop: asyncio.Event) -> tuple[asyncio.Task, asyncio.Task]:
        clock = ProgramClock()
        follower = ProgramTimeFollower(js, nats_namespace, clock, "points")
        await follower.start()
        progress = KvJobProgress(js, nats_namespace)
        scheduler = DailyScheduler(clock, 23, 0, job, "points.daily_totals", progress=progress, moves=clock)
        return asyncio.create_task(follower.run(stop)), asyncio.create_task(scheduler.run(stop))

    stop = asyncio.Event()
    tasks = await run_scheduler(stop)
    try:
        await control.wait_jobs((await control.read()).revision, {"points.daily_totals"}, within=10)
        revision = await control.advance(timedelta(days=3))
        reading = await control.wait_jobs(revision, {"points.daily_totals"}, within=10)
        assert reading.jobs == {"points.daily_totals": date(2027, 3, 13)}
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert ran == [date(2027, 3, 10), date(2027, 3, 11), date(2027, 3, 12), date(2027, 3, 13)]

    revision = await control.advance(timedelta(days=1))
    stop = asyncio.Event()
    tasks = await run_scheduler(stop)
    try:
        await control.wait_jobs(revision, {"points.daily_totals"}, within=10)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert ran[4:] == [date(2027, 3, 14)]
