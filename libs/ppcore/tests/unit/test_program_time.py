"""Program time: one shared, movable clock for non-production runs (DESIGN: Time)."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from ppcore.clock import FixedClock
from ppcore.program_time import ProgramClock, ProgramTimeState
from ppcore.settings import ServiceSettings

WALL = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_state_stands_still_when_frozen_and_runs_at_wall_speed_otherwise():
    frozen = ProgramTimeState(program=datetime(2027, 6, 1, tzinfo=UTC), wall=WALL, frozen=True)
    running = ProgramTimeState(program=datetime(2027, 6, 1, tzinfo=UTC), wall=WALL, frozen=False)
    later = WALL + timedelta(minutes=5)
    assert frozen.at(later) == datetime(2027, 6, 1, tzinfo=UTC)
    assert running.at(later) == datetime(2027, 6, 1, 0, 5, tzinfo=UTC)
    assert ProgramTimeState.decode(running.encode()) == running


async def test_clock_follows_the_wall_clock_until_set_then_the_newest_state_only():
    wall = FixedClock(WALL)
    clock = ProgramClock(wall)
    assert clock.now() == WALL and clock.revision == 0
    moved = asyncio.ensure_future(clock.moved())
    assert clock.apply(ProgramTimeState(program=datetime(2027, 1, 1, tzinfo=UTC), wall=WALL, frozen=True), 3)
    await asyncio.wait_for(moved, 1)
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
    # A late, older revision (a re-delivered watch update) never moves time back.
    assert not clock.apply(ProgramTimeState(program=WALL, wall=WALL, frozen=True), 2)
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC) and clock.revision == 3


def test_program_time_is_off_unless_a_setting_turns_it_on(monkeypatch):
    monkeypatch.setenv("PP_JWT_SECRET", "x" * 32)
    monkeypatch.setenv("PP_GRPC_PORT", "0")
    monkeypatch.setenv("PP_DATABASE_URL", "sqlite:///x.db")
    assert ServiceSettings().program_time_enabled is False  # type: ignore[call-arg]
    monkeypatch.setenv("PP_PROGRAM_TIME_ENABLED", "true")
    assert ServiceSettings().program_time_enabled is True  # type: ignore[call-arg]


async def test_the_control_rides_out_a_cluster_electing_leaders_but_not_for_ever(monkeypatch):
    from nats.js.errors import ServiceUnavailableError

    from ppcore import program_time

    answers: list[object] = [ServiceUnavailableError(), ServiceUnavailableError(), 7]

    async def call() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return int(answer)  # type: ignore[call-overload]

    assert await program_time._through_election(call, program_time.NOT_APPLIED) == 7

    monkeypatch.setattr(program_time, "ELECTION_SECONDS", 0.0)

    async def never() -> int:
        raise ServiceUnavailableError()

    with pytest.raises(ServiceUnavailableError):  # a cluster that never recovers surfaces
        await program_time._through_election(never, program_time.NOT_APPLIED)
