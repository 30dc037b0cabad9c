"""The public directory: one page of the ranked list (R-CARD-01/03, R-CMP-04, R-SAN-05/06)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, TypeVar

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.cities import canonical_city
from gateway_service.domain.listing import TIER_ORDER, ListedPartner, shown_competencies, tiers_at_least
from ppcore.clock import kyiv_date

DirectoryCursor = tuple[float, str, int]
"""Where a page ends: the last entry's (score, partner_id) and its rank."""


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[ListedPartner]
    first_rank: int  # rank of entries[0]
    has_more: bool
    policy_version: str

    @property
    def cursor(self) -> DirectoryCursor | None:
        """Where the next page starts; None on the last page."""
        if not self.has_more or not self.entries:
            return None
        last = self.entries[-1]
        return (last.score, last.partner_id, self.first_rank + len(self.entries) - 1)


PageKey = tuple[date, str, str, int, str, str]  # (Kyiv day, competency, page token, limit, city key, tier)
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


def admitted_tiers(tier: str, competency_code: str, required_tier: dict[str, str]) -> tuple[str, ...] | None:
    """Statuses the filters admit (None: any): the asked one, and for a competency gated by a
    status (Large corporate implementations: Gold) only statuses that hold it (R-CMP-02)."""
    admitted = set(TIER_ORDER) if not tier else {tier}
    if competency_code in required_tier:
        admitted &= set(tiers_at_least(required_tier[competency_code]))
    if admitted == set(TIER_ORDER):
        return None
    return tuple(t for t in TIER_ORDER if t in admitted)


def _with_shown_badges(row: ListedPartner, required_tier: dict[str, str]) -> ListedPartner:
    """The entry with its suspended badges hidden (R-CMP-02/04); copied only when one is:
    a copy per entry was a tenth of the page's CPU."""
    shown = shown_competencies(row.competency_codes, row.tier, required_tier)
    return row if shown == row.competency_codes else replace(row, competency_codes=shown)


async def list_directory(
    uow_factory: Callable[[], GatewayUnitOfWork],
    *,
    competency_code: str,
    limit: int,
    after: DirectoryCursor | None = None,
    today: date | None = None,
    city: str = "",
    tier: str = "",
) -> DirectoryPage:
    """One page of the ranked list as of ``today`` (Kyiv; the clock's day when None), filtered
    by competency, city (any spelling, R-LEAD-01) and status (R-CARD-03, R-CMP-04); the
    first page, or the one after the cursor ``after``."""
    first_rank = after[2] + 1 if after else 1
    async with uow_factory() as uow:
        day = today or kyiv_date(uow.clock.now())
        required_tier = {c.code: c.requires_status.value for c in uow.policy.competencies if c.requires_status}
        tiers = admitted_tiers(tier, competency_code, required_tier)
        if tiers == ():
            return DirectoryPage(entries=[], first_rank=first_rank, has_more=False, policy_version=uow.policy.version)
        rows = await uow.directory.listing(
            today=day,
            competency_code=competency_code,
            after=(after[0], after[1]) if after else None,
            limit=limit + 1,
            city_key=canonical_city(city),
            tiers=tiers or (),
        )
        shown = [_with_shown_badges(row, required_tier) for row in rows[:limit]]
        return DirectoryPage(
            entries=shown, first_rank=first_rank, has_more=len(rows) > limit, policy_version=uow.policy.version
        )
