"""Helpers every use case shares: new ids, the partner check, paging."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from points_service.adapters.uow import PointsUnitOfWork
from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument, NotFound
from ppcore.paging import next_page_token, page_window


def new_id() -> str:
    return uuid.uuid4().hex


async def require_active_partner(uow: PointsUnitOfWork, partner_id: str, now: datetime) -> None:
    """The partner must be known to points (approved by status) and not terminated."""
    if not partner_id.strip():
        raise InvalidArgument.for_field("partner_id", "is required")
    partner = await uow.partners.get(partner_id)
    if partner is None:
        raise NotFound(reason="PARTNER_NOT_FOUND", message=f"partner_id: partner {partner_id} is not known")
    if partner.terminated_by(kyiv_date(now)):
        raise FailedPrecondition(
            reason="PARTNER_TERMINATED",
            message=f"partner_id: partner {partner_id} left the program on {partner.terminated_on} (R-PRT-06)",
            rule="R-PRT-06",
        )


async def require_known_partner(uow: PointsUnitOfWork, partner_id: str) -> None:
    """Points queries answer only for a partner points knows: one status approved (PartnerApproved),
    terminated ones included (their history stays readable). An unknown id is NOT_FOUND, not zero."""
    if not partner_id.strip():
        raise InvalidArgument.for_field("partner_id", "is required")
    if await uow.partners.get(partner_id) is None:
        raise NotFound(
            reason="PARTNER_NOT_FOUND",
            message=f"partner_id: partner {partner_id} is not known to the points service",
        )


async def require_known_co_developer(uow: PointsUnitOfWork, joint_partner_id: str | None, field: str) -> None:
    """R-PRJ-08: the co-developer of a joint project is a partner of the program."""
    if joint_partner_id and await uow.partners.get(joint_partner_id) is None:
        raise InvalidArgument.for_field(
            field,
            f"partner {joint_partner_id} is not a partner of the program (R-PRJ-08)",
            reason="PROJECT_JOINT_PARTNER_UNKNOWN",
            rule="R-PRJ-08",
        )


def next_token(offset: int, limit: int, fetched: int) -> str:
    """The token of the page after one fetched with ``limit + 1`` rows."""
    return next_page_token(offset, limit, fetched > limit)


T = TypeVar("T")


async def paged(
    fetch: Callable[[int, int], Awaitable[Sequence[T]]], page_size: int, page_token: str
) -> tuple[list[T], str]:
    """One page from ``fetch(offset, limit)`` (which returns up to ``limit + 1`` rows) and the next token."""
    offset, limit = page_window(page_size, page_token)
    rows = list(await fetch(offset, limit))
    return rows[:limit], next_token(offset, limit, len(rows))
