"""Heavy staff lists give way to the hot path (issue 12: a staff screen cannot slow checkout).

A list page is built in slices that yield to checkout calls in flight, and a process
builds one list at a time, so several staff screens together still take a small share of
the loop (bench ``status_checkout_with_staff_lists`` measures the effect).
"""

import asyncio
import time

import pytest

from ppcore import cooperative
from ppcore.cooperative import hot_call, list_lane, map_in_slices


def _list_waits_for_hot_calls(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set once a list polls for a hot call in flight to end (give_way's wait)."""
    waiting = asyncio.Event()
    real_sleep = asyncio.sleep

    async def noting(delay: float) -> None:
        if delay > 0 and cooperative._hot_in_flight:
            waiting.set()
        await real_sleep(delay)

    monkeypatch.setattr(cooperative.asyncio, "sleep", noting)
    return waiting


async def test_list_builds_take_turns_one_at_a_time() -> None:
    inside = 0
    most_inside = 0

    async def build() -> None:
        nonlocal inside, most_inside
        async with list_lane():
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(build() for _ in range(4)))
    assert most_inside == cooperative.LISTS_AT_ONCE == 1


async def test_a_slice_waits_for_a_hot_call_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cooperative, "MAX_GIVE_WAY_SECONDS", 30.0)  # a busy machine: only the call ends the wait
    order: list[str] = []

    in_flight = asyncio.Event()
    list_waiting = _list_waits_for_hot_calls(monkeypatch)

    async def hot() -> None:
        with hot_call():
            in_flight.set()
            await list_waiting.wait()  # ends only once the list waits for it
            order.append("hot done")

    def item(n: int) -> int:
        order.append(f"item {n}")
        return n * 2

    checkout = asyncio.ensure_future(hot())
    await in_flight.wait()
    mapped = await map_in_slices(item, range(3), per_slice=1)
    list_waiting.set()  # had the list not waited, the checkout still ends (after it)
    await checkout
    assert mapped == [0, 2, 4]
    # The first item is built, then the list gives way until the checkout call is done.
    assert order.index("hot done") < order.index("item 1")


async def test_a_hot_call_that_never_ends_stalls_the_list_only_briefly() -> None:
    with hot_call():
        mapped = await asyncio.wait_for(map_in_slices(str, range(8), per_slice=1), timeout=30)
    assert mapped == [str(n) for n in range(8)]


async def test_a_slice_gives_way_to_hot_calls_answered_between_its_looks() -> None:
    """A check answered from memory starts and ends within one loop step: never in flight
    when a slice looks, yet checkouts are arriving, so the slice leaves the loop to them
    five times as long as it took."""
    with hot_call():
        pass  # answered at once, as from ppcore.notified_cache
    started = time.monotonic()
    await cooperative.give_way(0.002)
    assert time.monotonic() - started >= 0.002 * cooperative.GIVE_WAY_RATIO


async def test_without_checkout_traffic_a_slice_only_yields_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cooperative, "_last_hot_call", float("-inf"))
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def noting(delay: float) -> None:
        pauses.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(cooperative.asyncio, "sleep", noting)
    await cooperative.give_way(0.002)
    assert pauses == [0]


async def test_rows_read_in_parts_give_way_to_a_hot_call_after_each_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list's query is read by a cursor a few rows at a time (ROWS_PER_READ): a checkout
    arriving while the rows are decoded is answered before the next part is read."""
    monkeypatch.setattr(cooperative, "MAX_GIVE_WAY_SECONDS", 30.0)
    order: list[str] = []

    in_flight = asyncio.Event()
    list_waiting = _list_waits_for_hot_calls(monkeypatch)

    async def parts():  # type: ignore[no-untyped-def]
        for n in range(3):
            order.append(f"part {n}")
            yield [n * 10, n * 10 + 1]

    async def hot() -> None:
        with hot_call():
            in_flight.set()
            await list_waiting.wait()  # ends only once the list waits for it
            order.append("hot done")

    checkout = asyncio.ensure_future(hot())
    await in_flight.wait()
    rows = await cooperative.collect_in_slices(parts())
    list_waiting.set()  # had the list not waited, the checkout still ends (after it)
    await checkout
    assert rows == [0, 1, 10, 11, 20, 21]
    assert order.index("part 0") < order.index("hot done") < order.index("part 1")
