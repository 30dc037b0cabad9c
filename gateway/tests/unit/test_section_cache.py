"""The partner view's backend answers kept in memory, exact by events (R-CARD-04, R-PD-01)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from gateway_service.domain.cabinet import Section
from gateway_service.service_layer.cached_read import ReadContext, cached_sections_read
from gateway_service.service_layer.ports import SectionsRead
from gateway_service.service_layer.section_cache import SectionCache, SectionsKey

DAY = date(2026, 3, 2)
SECTIONS = frozenset({Section.CARD, Section.STATUS})


def key(partner_id: str = "p1", *, backend: str = "status", day: date = DAY, sees: bool = False) -> SectionsKey:
    return SectionsKey(backend, partner_id, SECTIONS, day, sees)


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def live_cache(ticks: Ticks | None = None, *, entries: int = 100, age: float = 60.0) -> SectionCache:
    cache = SectionCache(max_entries=entries, max_age_seconds=age, monotonic=ticks or Ticks())
    cache.went_live()
    return cache


def test_nothing_is_served_or_stored_before_the_feed_is_live():
    cache = SectionCache(max_entries=10, max_age_seconds=60.0)
    assert not cache.put(cache.ticket(), key(), {Section.CARD: "c"})
    cache.went_live()
    assert cache.put(cache.ticket(), key(), {Section.CARD: "c"})
    assert cache.get(key()) == {Section.CARD: "c"}
    cache.went_down()
    assert cache.get(key()) is None


def test_an_event_for_a_partner_drops_only_that_partners_answers_of_that_backend():
    cache = live_cache()
    for k in (key("p1"), key("p1", sees=True), key("p2"), key("p1", backend="points")):
        cache.put(cache.ticket(), k, {Section.CARD: k})
    assert cache.drop_partner("status", "p1") == 2
    assert cache.get(key("p1")) is None and cache.get(key("p1", sees=True)) is None
    assert cache.get(key("p2")) is not None
    assert cache.get(key("p1", backend="points")) is not None


def test_an_event_without_a_partner_drops_the_whole_backend():
    cache = live_cache()
    cache.put(cache.ticket(), key("p1"), {})
    cache.put(cache.ticket(), key("p2"), {})
    cache.put(cache.ticket(), key("p1", backend="points"), {})
    assert cache.drop_backend("status") == 2
    assert cache.get(key("p1", backend="points")) is not None


def test_a_read_begun_before_an_invalidation_is_not_stored():
    """The answer may predate the change the event announces."""
    cache = live_cache()
    before = cache.ticket()
    cache.drop_partner("status", "p1")
    assert not cache.put(before, key("p1"), {Section.CARD: "old"})
    assert cache.put(before, key("p2"), {Section.CARD: "other partner"})
    assert cache.put(cache.ticket(), key("p1"), {Section.CARD: "new"})
    assert cache.get(key("p1")) == {Section.CARD: "new"}


def test_a_read_begun_before_the_feed_came_back_is_not_stored():
    cache = live_cache()
    before = cache.ticket()
    cache.went_live()  # reconnected: events may have been missed
    assert not cache.put(before, key(), {})


def test_the_program_date_and_what_the_viewer_may_see_are_part_of_the_key():
    """R-PD-01: the partner's own login sees its card whole, staff without the group masked."""
    cache = live_cache()
    cache.put(cache.ticket(), key(sees=False), {Section.CARD: "+3*****67"})
    assert cache.get(key(sees=True)) is None
    assert cache.get(key(day=date(2026, 3, 3))) is None


def test_an_answer_older_than_the_max_age_is_not_served():
    ticks = Ticks()
    cache = live_cache(ticks, age=5.0)
    cache.put(cache.ticket(), key(), {})
    ticks.now += 4.9
    assert cache.get(key()) is not None
    ticks.now += 0.2
    assert cache.get(key()) is None
    assert len(cache) == 0


def test_the_least_recently_used_answer_goes_first_when_full():
    cache = live_cache(entries=2)
    cache.put(cache.ticket(), key("p1"), {})
    cache.put(cache.ticket(), key("p2"), {})
    assert cache.get(key("p1")) is not None
    cache.put(cache.ticket(), key("p3"), {})
    assert cache.get(key("p2")) is None
    assert cache.get(key("p1")) is not None and cache.get(key("p3")) is not None
    assert cache.drop_partner("status", "p2") == 0


class Backend:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.card = "first"

    async def read(self, partner_id: str, wanted: frozenset[Section], deadline: float) -> Mapping[Section, object]:
        self.calls += 1
        if self.fail:
            raise TimeoutError
        return {section: f"{self.card} {section.value}" for section in wanted}


def cached(backend: Backend, cache: SectionCache, **context: object) -> SectionsRead:
    counted: list[bool] = []
    ctx = ReadContext(
        program_date=lambda: DAY,
        sees_contacts=lambda partner_id: False,
        counted=lambda _backend, hit: counted.append(hit),
        **context,  # type: ignore[arg-type]
    )
    return cached_sections_read(SectionsRead(SECTIONS, backend.read), "status", cache, ctx)


async def test_a_second_view_is_answered_without_calling_the_backend_until_its_event():
    backend, cache = Backend(), live_cache()
    read = cached(backend, cache)
    first = await read.read("p1", SECTIONS, 1.0)
    assert await read.read("p1", SECTIONS, 1.0) == first
    assert backend.calls == 1
    backend.card = "changed"
    cache.drop_partner("status", "p1")
    assert (await read.read("p1", SECTIONS, 1.0))[Section.CARD] == "changed CARD"
    assert backend.calls == 2


async def test_a_failure_is_passed_on_and_never_kept():
    backend, cache = Backend(), live_cache()
    read = cached(backend, cache)
    backend.fail = True
    with pytest.raises(TimeoutError):
        await read.read("p1", SECTIONS, 1.0)
    backend.fail = False
    await read.read("p1", SECTIONS, 1.0)
    assert backend.calls == 2 and len(cache) == 1


async def test_while_the_feed_is_down_every_view_asks_the_backend():
    backend, cache = Backend(), live_cache()
    read = cached(backend, cache, live=lambda: False)
    await read.read("p1", SECTIONS, 1.0)
    await read.read("p1", SECTIONS, 1.0)
    assert backend.calls == 2 and len(cache) == 0


def test_max_age_zero_turns_the_cache_off():
    backend, cache = Backend(), live_cache(age=0.0)
    read = cached(backend, cache)
    assert read.read == backend.read


async def test_an_answer_read_across_midnight_is_not_kept():
    backend, cache = Backend(), live_cache()
    days = iter([DAY, date(2026, 3, 3)])
    read = cached_sections_read(
        SectionsRead(SECTIONS, backend.read),
        "status",
        cache,
        ReadContext(program_date=lambda: next(days), sees_contacts=lambda partner_id: False),
    )
    await read.read("p1", SECTIONS, 1.0)
    assert len(cache) == 0


async def test_the_wanted_sections_may_come_as_any_set():
    """The cabinet asks with ``sections - forbidden.keys()``, a plain set."""
    backend, cache = Backend(), live_cache()
    read = cached(backend, cache)
    await read.read("p1", set(SECTIONS), 1.0)  # type: ignore[arg-type]
    await read.read("p1", frozenset(SECTIONS), 1.0)
    assert backend.calls == 1
