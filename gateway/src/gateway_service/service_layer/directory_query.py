"""The public directory: one page of the ranked list (R-CARD-01/03, R-CMP-04, R-SAN-05/06)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.listing import ListedPartner
from ppcore.clock import kyiv_date


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[ListedPartner]
    first_rank: int  # rank of entries[0]: the offset + 1
    has_more: bool
    policy_version: str


async def list_directory(
    uow_factory: Callable[[], GatewayUnitOfWork], *, competency_code: str, offset: int, limit: int
) -> DirectoryPage:
    async with uow_factory() as uow:
        today = kyiv_date(uow.clock.now())
        rows = await uow.directory.listing(today=today, competency_code=competency_code, offset=offset, limit=limit + 1)
        return DirectoryPage(
            entries=rows[:limit], first_rank=offset + 1, has_more=len(rows) > limit, policy_version=uow.policy.version
        )
