"""The invalidation feed's view of liveness: a jump of program time empties the cache and
keeps it bypassed while the processes catch up (non-production runs)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from gateway_service.adapters import section_invalidation
from gateway_service.adapters.section_invalidation import InvalidationFeed
from gateway_service.domain.cabinet import Section
from gateway_service.service_layer.section_cache import SectionCache, SectionsKey
from ppcore.events import Naming
from ppcore.program_time import ProgramClock, ProgramTimeState
from ppcore.testing.polling import eventually

KEY = SectionsKey("status", "p1", frozenset({Section.CARD}), datetime(2026, 3, 2).date(), False)


def checked(condition: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return condition()

    return check


class FakeSubscription:
    async def unsubscribe(self) -> None:
        pass


class FakeNats:
    is_closed = False

    async def subscribe(self, subject: str, **_: object) -> FakeSubscription:
        return FakeSubscription()

    async def flush(self) -> None:
        pass


class FakeBus:
    naming = Naming("t")
    connected = True
    nc = FakeNats()

    def on_reconnect(self, listener: object) -> None:
        pass


async def test_a_program_time_jump_empties_the_cache_and_bypasses_it_while_processes_follow(monkeypatch):
    monkeypatch.setattr(section_invalidation, "PROGRAM_TIME_SETTLE_SECONDS", 0.2)
    cache = SectionCache(max_entries=10, max_age_seconds=60.0)
    clock = ProgramClock()
    feed = InvalidationFeed(FakeBus(), cache, ["status"], program_clock=clock)  # type: ignore[arg-type]
    stop = asyncio.Event()
    running = asyncio.create_task(feed.run(stop))
    await eventually(checked(feed.live))
    assert cache.put(cache.ticket(), KEY, {Section.CARD: "today"})

    moment = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    clock.apply(ProgramTimeState(program=moment, wall=moment, frozen=True), revision=1)
    await eventually(checked(lambda: len(cache) == 0))  # the feed follows the jump
    assert not feed.live()
    await eventually(checked(feed.live))  # live again once the processes had time to follow
    stop.set()
    await running
