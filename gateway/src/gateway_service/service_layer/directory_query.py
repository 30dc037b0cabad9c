"""The public directory: one page of the ranked list (R-CARD-01/03, R-CMP-04, R-SAN-05/06)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.listing import ListedPartner
from ppcore.clock import kyiv_date


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[ListedPartner]
    first_rank: int  # rank of entries[0]: the offset + 1
    has_more: bool
    policy_version: str


PageKey = tuple[date, str, int, int]  # (Kyiv day, competency, offset, limit)
V = TypeVar("V")


class PageCache(Generic[V]):
    """Pages kept for a few seconds: the public list is read far more often than it
    changes, and a page a second or two old is as good as a fresh one to a visitor.
    ``ttl_seconds`` 0 turns it off. Keyed by day too, so a sanction's end shows at once.
    The gateway keeps the finished response, so a hit costs neither a query nor mapping."""

    def __init__(self, ttl_seconds: float, *, monotonic: Callable[[], float] = time.monotonic, max_pages: int = 4096):
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._max_pages = max_pages
        self._pages: dict[PageKey, tuple[float, V]] = {}

    def get(self, key: PageKey) -> V | None:
        if self._ttl <= 0:
            return None
        hit = self._pages.get(key)
        if hit is None or self._monotonic() - hit[0] >= self._ttl:
            return None
        return hit[1]

    def put(self, key: PageKey, page: V) -> None:
        if self._ttl <= 0:
            return
        if len(self._pages) >= self._max_pages:
            self._pages.clear()  # bounded memory; the next reads refill it
        self._pages[key] = (self._monotonic(), page)


async def list_directory(
    uow_factory: Callable[[], GatewayUnitOfWork],
    *,
    competency_code: str,
    offset: int,
    limit: int,
    today: date | None = None,
) -> DirectoryPage:
    """One page of the ranked list as of ``today`` (Kyiv; the clock's day when None)."""
    async with uow_factory() as uow:
        day = today or kyiv_date(uow.clock.now())
        rows = await uow.directory.listing(today=day, competency_code=competency_code, offset=offset, limit=limit + 1)
        return DirectoryPage(
            entries=rows[:limit], first_rank=offset + 1, has_more=len(rows) > limit, policy_version=uow.policy.version
        )
