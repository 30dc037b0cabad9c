"""Ledger use cases: totals as of any instant, expiring and lifetime points, listings, reversals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from points_service.adapters.active_total_reader import ActiveTotalReader
from points_service.adapters.ledger_repository import LedgerFilter
from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.ledger import ExpiringPoints, LedgerEntry, expiring_within, reverse
from points_service.service_layer.common import new_id, paged
from ppcore.errors import InvalidArgument, not_found
from ppcore.policy import ProgramPolicy


async def active_total(reader: ActiveTotalReader, partner_id: str, at: datetime) -> Decimal:
    """R-PTS-04/05: the active total at ``at``, now or in the past (disputes)."""
    if not partner_id:
        raise InvalidArgument.for_field("partner_id", "is required")
    return await reader.at(partner_id, at)


async def expiring_points(uow: PointsUnitOfWork, partner_id: str, now: datetime, days: int) -> ExpiringPoints:
    """R-PTS-04: active points that stop counting within the next ``days`` Kyiv days."""
    if days < 0:
        raise InvalidArgument.for_field("within_days", "must be zero or more")
    return expiring_within(await uow.ledger.active_entries(partner_id, now), now, days)


async def list_entries(
    uow: PointsUnitOfWork, selection: LedgerFilter, page_size: int, page_token: str
) -> tuple[list[LedgerEntry], str]:
    if not selection.partner_id:
        raise InvalidArgument.for_field("partner_id", "is required")
    return await paged(
        lambda offset, limit: uow.ledger.page(selection, offset=offset, limit=limit), page_size, page_token
    )


async def reverse_entry(
    uow: PointsUnitOfWork, entry_id: str, *, reason: str, decided_by: str, now: datetime, policy: ProgramPolicy
) -> LedgerEntry:
    """R-PTS-06: a staff correction is a reversal entry, never an edit."""
    original = await uow.ledger.get(entry_id)
    if original is None:
        raise not_found("ledger entry", entry_id)
    reversal = reverse(
        original,
        entry_id=new_id(),
        at=now,
        decided_by=decided_by,
        reason=reason,
        policy_version=policy.version,
        already_reversed=await uow.ledger.reversed_amount(entry_id) != 0,
    )
    uow.record_entry(reversal)
    return reversal
