"""Ledger use cases: totals as of any instant, expiring and lifetime points, listings, reversals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from points_service.adapters.active_total_reader import ActiveTotalReader
from points_service.adapters.ledger_repository import LedgerFilter
from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.ledger import ExpiringPoints, LedgerEntry, expiring_within, reverse
from points_service.service_layer.common import new_id, require_known_partner
from ppcore.errors import InvalidArgument, not_found
from ppcore.paging import keyset_page, keyset_window
from ppcore.policy import ProgramPolicy


async def active_total(
    reader: ActiveTotalReader, uow_factory: Callable[[], PointsUnitOfWork], partner_id: str, at: datetime
) -> Decimal:
    """R-PTS-04/05: the active total at ``at``, now or in the past (disputes); NOT_FOUND for a partner
    points does not know. A partner with points is known by its entries, so only a zero total pays
    for the look-up and the hot path stays one indexed read."""
    if not partner_id:
        raise InvalidArgument.for_field("partner_id", "is required")
    total = await reader.at(partner_id, at)
    if total == 0:
        async with uow_factory() as uow:
            await require_known_partner(uow, partner_id)
    return total


async def expiring_points(uow: PointsUnitOfWork, partner_id: str, now: datetime, days: int) -> ExpiringPoints:
    """R-PTS-04: active points that stop counting within the next ``days`` Kyiv days."""
    return (await expiring_in_windows(uow, partner_id, now, [days]))[0]


async def expiring_in_windows(
    uow: PointsUnitOfWork, partner_id: str, now: datetime, windows: Sequence[int]
) -> list[ExpiringPoints]:
    """R-PTS-04 for several windows from one read of the active entries, in the order given."""
    if any(days < 0 for days in windows):
        raise InvalidArgument.for_field("within_days", "must be zero or more")
    await require_known_partner(uow, partner_id)
    active = await uow.ledger.active_entries(partner_id, now)
    return [expiring_within(active, now, days) for days in windows]


async def lifetime_points(uow: PointsUnitOfWork, partner_id: str) -> Decimal:
    """Every point a partner ever earned, net of reversals; NOT_FOUND for an unknown partner."""
    await require_known_partner(uow, partner_id)
    return await uow.ledger.lifetime(partner_id)


async def list_entries(
    uow: PointsUnitOfWork, selection: LedgerFilter, page_size: int, page_token: str
) -> tuple[list[LedgerEntry], str]:
    if not selection.partner_id:
        raise InvalidArgument.for_field("partner_id", "is required")
    await require_known_partner(uow, selection.partner_id)
    after, limit = keyset_window(page_size, page_token, (datetime, str))
    rows = await uow.ledger.page(selection, after=(after[0], after[1]) if after else None, limit=limit)
    return keyset_page(rows, limit, lambda e: (e.accrued_at, e.entry_id))


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
