"""Bounded polling for tests that wait on something asynchronous (a consumer, a relay)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

WAIT_SECONDS = 30.0
"""How long a test waits for an asynchronous effect before it fails."""


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, within: float = WAIT_SECONDS, interval: float = 0.05
) -> T:
    """Await ``check()`` every ``interval`` seconds until it returns something truthy, and
    return that. Raises ``AssertionError`` when nothing truthy came within ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)
