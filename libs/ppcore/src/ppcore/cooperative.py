"""CPU-bound work on the event loop in small slices that give way to the hot path.

A list page of a hundred rich items is tens of milliseconds of Python in one piece; every
call that arrives meanwhile (the discount check at checkout) waits for all of it, and a
few staff screens paging at once take most of the process. :func:`map_in_slices` maps
the items a few at a time and, between slices, lets the hot path's calls (marked with
:func:`hot_call`) go first: while they keep arriving it leaves the loop to them five
times as long as the slice took, and while one is in flight it waits for it, at most
:data:`MAX_GIVE_WAY_SECONDS` per slice, so the list still finishes under a steady
checkout load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

SLICE = 4
# Rows decoded per read of a list's query (a server-side cursor's fetch): a page of 100
# rich rows was one 4-5 ms piece of decoding that held up every checkout behind it.
ROWS_PER_READ = 20
MAX_GIVE_WAY_SECONDS = 0.01
# Lists built at once per process. Each build gives way between its slices, but several
# builds interleave their slices and together still take most of the loop; one at a time
# keeps a process's staff screens to a small share of it (the others wait without CPU).
LISTS_AT_ONCE = 1
# A hot call answered from memory (ppcore.notified_cache) starts and ends within one loop
# step, so a list never sees it in flight, yet such calls keep arriving, queued in gRPC
# until the loop is free. While one ended this recently, a slice leaves the loop to them
# GIVE_WAY_RATIO times as long as it took itself: lists get at most a sixth of it.
HOT_RECENT_SECONDS = 0.002
GIVE_WAY_RATIO = 5.0
_hot_in_flight = 0
_last_hot_call = float("-inf")
_list_lanes: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


@contextmanager
def hot_call() -> Iterator[None]:
    """Mark a hot-path call (checkout, key check) in flight: lists give way to it."""
    global _hot_in_flight, _last_hot_call
    _hot_in_flight += 1
    try:
        yield
    finally:
        _hot_in_flight -= 1
        _last_hot_call = time.monotonic()


async def give_way(busy_seconds: float = 0.0) -> None:
    """Yield to the loop after ``busy_seconds`` of list work: longer while checkouts keep
    arriving, and while one is in flight for up to MAX_GIVE_WAY_SECONDS."""
    await asyncio.sleep(0)
    if time.monotonic() - _last_hot_call < HOT_RECENT_SECONDS:
        await asyncio.sleep(min(MAX_GIVE_WAY_SECONDS, busy_seconds * GIVE_WAY_RATIO))
    deadline = time.monotonic() + MAX_GIVE_WAY_SECONDS
    while _hot_in_flight and time.monotonic() < deadline:  # noqa: ASYNC110 - bounded; no Event tied to one loop
        await asyncio.sleep(0.001)


@asynccontextmanager
async def list_lane() -> AsyncIterator[None]:
    """Hold while building a heavy list page: at most :data:`LISTS_AT_ONCE` per process."""
    loop = asyncio.get_running_loop()
    lane = _list_lanes.get(loop)
    if lane is None:
        lane = _list_lanes[loop] = asyncio.Semaphore(LISTS_AT_ONCE)
    async with lane:
        yield


async def map_in_slices(fn: Callable[[T], R], items: Iterable[T], *, per_slice: int = SLICE) -> list[R]:
    """``[fn(item) for item in items]``, giving way to the hot path after every ``per_slice`` items."""
    out: list[R] = []
    slice_started = time.perf_counter()
    for n, item in enumerate(items, 1):
        out.append(fn(item))
        if n % per_slice == 0:
            await give_way(time.perf_counter() - slice_started)
            slice_started = time.perf_counter()
    return out


async def collect_in_slices(parts: AsyncIterable[Sequence[T]]) -> list[T]:
    """The items of ``parts`` (a cursor's fetches of :data:`ROWS_PER_READ` rows) in one
    list, giving way to the hot path after each part was decoded."""
    out: list[T] = []
    read_started = time.perf_counter()
    async for part in parts:
        out.extend(part)
        await give_way(time.perf_counter() - read_started)
        read_started = time.perf_counter()
    return out
