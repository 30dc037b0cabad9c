"""The daily scheduler follows program time: once per date, in order, catching up (DESIGN: Time, R-POL-02)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ppcore.clock import FixedClock, job_instant, kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.scheduler import DailyScheduler, MemoryJobProgress, latest_slot, requested_job_day


def _scheduler(clock: FixedClock, progress: MemoryJobProgress, ran: list[date], *, fail_on: date | None = None):
    async def job(day: date) -> None:
        if day == fail_on:
            raise RuntimeError("boom")
        ran.append(day)

    return DailyScheduler(clock, 23, 0, job, "points.daily_totals", progress=progress)


async def test_first_run_does_only_the_latest_slot():
    """A scheduler that never ran does the latest past 23:00 slot, not the whole past."""
    clock = FixedClock(kyiv_datetime(date(2027, 3, 10), 22, 59))
    ran: list[date] = []
    await _scheduler(clock, MemoryJobProgress(), ran).catch_up()
    assert ran == [date(2027, 3, 9)]


async def test_a_jump_of_program_time_runs_every_crossed_date_once_in_order():
    """Program time moved a month on: each date in between runs once, oldest first; again: nothing."""
    clock = FixedClock(kyiv_datetime(date(2027, 3, 10), 23, 0))
    progress = MemoryJobProgress()
    ran: list[date] = []
    scheduler = _scheduler(clock, progress, ran)
    await scheduler.catch_up()
    clock.advance(timedelta(days=31))
    await scheduler.catch_up()
    await scheduler.catch_up()
    assert ran == [date(2027, 3, 10) + timedelta(days=n) for n in range(32)]


async def test_a_restart_neither_reruns_nor_skips_a_date():
    """The persisted last date is where a new scheduler (a restarted process) carries on."""
    clock = FixedClock(kyiv_datetime(date(2027, 3, 10), 23, 30))
    progress = MemoryJobProgress()
    first: list[date] = []
    await _scheduler(clock, progress, first).catch_up()
    clock.advance(timedelta(days=2))
    after_restart: list[date] = []
    await _scheduler(clock, progress, after_restart).catch_up()
    assert first == [date(2027, 3, 10)]
    assert after_restart == [date(2027, 3, 11), date(2027, 3, 12)]


async def test_a_failing_date_stops_the_round_and_is_retried_not_skipped():
    clock = FixedClock(kyiv_datetime(date(2027, 3, 10), 23, 30))
    progress = MemoryJobProgress()
    ran: list[date] = []
    await _scheduler(clock, progress, ran).catch_up()
    clock.advance(timedelta(days=3))
    with pytest.raises(RuntimeError):
        await _scheduler(clock, progress, ran, fail_on=date(2027, 3, 12)).catch_up()
    await _scheduler(clock, progress, ran).catch_up()
    assert ran == [date(2027, 3, 10), date(2027, 3, 11), date(2027, 3, 12), date(2027, 3, 13)]


def test_latest_slot_is_taken_in_kyiv_time_across_dst():
    """23:00 Kyiv is 21:00 UTC in winter and 20:00 UTC in summer."""
    assert latest_slot(datetime(2027, 1, 10, 21, 0, tzinfo=UTC), 23, 0) == date(2027, 1, 10)
    assert latest_slot(datetime(2027, 1, 10, 20, 59, tzinfo=UTC), 23, 0) == date(2027, 1, 9)
    assert latest_slot(datetime(2027, 7, 10, 20, 0, tzinfo=UTC), 23, 0) == date(2027, 7, 10)


def test_a_job_acts_now_today_and_at_the_end_of_a_past_day():
    now = kyiv_datetime(date(2027, 3, 10), 12, 0)
    assert job_instant(date(2027, 3, 10), now) == now
    assert job_instant(date(2027, 3, 8), now) == kyiv_datetime(date(2027, 3, 9)) - timedelta(microseconds=1)
    with pytest.raises(ValueError):
        job_instant(date(2027, 3, 11), now)


def test_a_job_rpc_takes_an_explicit_date_refuses_the_future_and_bad_text():
    now = kyiv_datetime(date(2027, 3, 10), 12, 0)
    assert requested_job_day("", "business_date", now) == (date(2027, 3, 10), now)
    day, as_of = requested_job_day("2027-03-01", "business_date", now)
    assert day == date(2027, 3, 1) and as_of.date() == date(2027, 3, 1)
    with pytest.raises(FailedPrecondition):
        requested_job_day("2027-03-11", "business_date", now)
    with pytest.raises(InvalidArgument):
        requested_job_day("10.03.2027", "business_date", now)
