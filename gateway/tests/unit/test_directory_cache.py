"""Directory pages served from memory for a few seconds, never past a day change."""

from datetime import date

from gateway_service.service_layer.directory_query import DirectoryPage, PageCache

PAGE = DirectoryPage(entries=[], first_rank=1, has_more=False, policy_version="v")
KEY = (date(2026, 3, 2), "", 0, 20)


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_page_is_served_until_its_ttl_passes():
    ticks = Ticks()
    cache = PageCache(2.0, monotonic=ticks)
    cache.put(KEY, PAGE)
    ticks.now += 1.9
    assert cache.get(KEY) is PAGE
    ticks.now += 0.2
    assert cache.get(KEY) is None


def test_another_day_competency_or_page_is_another_entry():
    """R-SAN-05: on the day an exclusion ends the cached page of the day before is not used."""
    cache = PageCache(60.0, monotonic=Ticks())
    cache.put(KEY, PAGE)
    assert cache.get((date(2026, 3, 3), "", 0, 20)) is None
    assert cache.get((date(2026, 3, 2), "COMPOSITE_SITE", 0, 20)) is None
    assert cache.get((date(2026, 3, 2), "", 20, 20)) is None


def test_zero_ttl_turns_the_cache_off():
    cache = PageCache(0)
    cache.put(KEY, PAGE)
    assert cache.get(KEY) is None


def test_the_cache_is_bounded():
    cache = PageCache(60.0, monotonic=Ticks(), max_pages=2)
    for offset in range(3):
        cache.put((date(2026, 3, 2), "", offset, 20), PAGE)
    assert cache.get((date(2026, 3, 2), "", 2, 20)) is PAGE
    assert cache.get((date(2026, 3, 2), "", 0, 20)) is None
