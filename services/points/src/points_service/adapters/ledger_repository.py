"""The ledger table (R-PTS-06): entries are inserted, never updated; totals are SQL sums."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from points_service.adapters.orm import Hundredths, LedgerEntryRow
from points_service.domain.amounts import ZERO, to_points
from points_service.domain.ledger import LedgerEntry, PointKind, SourceType


@dataclass(frozen=True)
class LedgerFilter:
    partner_id: str
    kind: PointKind | None = None
    source_type: SourceType | None = None
    accrued_from: datetime | None = None
    accrued_to: datetime | None = None


def entry_from_row(row: LedgerEntryRow) -> LedgerEntry:
    return LedgerEntry(
        entry_id=row.entry_id,
        partner_id=row.partner_id,
        kind=PointKind(row.kind),
        source_type=SourceType(row.source_type),
        source_id=row.source_id,
        amount=row.amount,
        accrued_at=row.accrued_at,
        expires_at=row.expires_at,
        decided_by=row.decided_by,
        policy_version=row.policy_version,
        note=row.note,
        reverses_entry_id=row.reverses_entry_id,
        withheld_points=row.withheld_points,
        withheld_reason=row.withheld_reason,
    )


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, entry: LedgerEntry) -> None:
        self._session.add(
            LedgerEntryRow(
                entry_id=entry.entry_id,
                partner_id=entry.partner_id,
                kind=entry.kind.value,
                source_type=entry.source_type.value,
                source_id=entry.source_id,
                amount=entry.amount,
                accrued_at=entry.accrued_at,
                expires_at=entry.expires_at,
                decided_by=entry.decided_by,
                policy_version=entry.policy_version,
                note=entry.note,
                reverses_entry_id=entry.reverses_entry_id,
                withheld_points=entry.withheld_points,
                withheld_reason=entry.withheld_reason,
            )
        )

    async def get(self, entry_id: str) -> LedgerEntry | None:
        row = await self._session.get(LedgerEntryRow, entry_id)
        return entry_from_row(row) if row is not None else None

    async def for_source(self, source_type: SourceType, source_id: str) -> list[LedgerEntry]:
        rows = await self._session.scalars(
            sa.select(LedgerEntryRow)
            .where(LedgerEntryRow.source_type == source_type.value, LedgerEntryRow.source_id == source_id)
            .order_by(LedgerEntryRow.accrued_at, LedgerEntryRow.entry_id)
        )
        return [entry_from_row(r) for r in rows]

    async def reversed_amount(self, entry_id: str) -> Decimal:
        """How much of an entry was taken back already (negative or zero)."""
        total = await self._session.scalar(
            sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(LedgerEntryRow.amount), 0), Hundredths())).where(
                LedgerEntryRow.reverses_entry_id == entry_id
            )
        )
        return to_points(total or ZERO)

    async def lifetime(self, partner_id: str) -> Decimal:
        total = await self._session.scalar(
            sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(LedgerEntryRow.amount), 0), Hundredths())).where(
                LedgerEntryRow.partner_id == partner_id
            )
        )
        return to_points(total or ZERO)

    async def active_entries(self, partner_id: str, at: datetime) -> list[LedgerEntry]:
        rows = await self._session.scalars(
            sa.select(LedgerEntryRow).where(
                LedgerEntryRow.partner_id == partner_id,
                LedgerEntryRow.accrued_at <= at,
                LedgerEntryRow.expires_at > at,
            )
        )
        return [entry_from_row(r) for r in rows]

    async def page(
        self, selection: LedgerFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> Sequence[LedgerEntry]:
        """Newest first, after the entry whose (accrued_at, entry_id) is ``after`` (keyset: a
        range of ix_ledger_entries_partner_id_accrued_at); ``limit + 1`` rows tell the
        caller whether another page exists."""
        query = sa.select(LedgerEntryRow).where(LedgerEntryRow.partner_id == selection.partner_id)
        if selection.kind is not None:
            query = query.where(LedgerEntryRow.kind == selection.kind.value)
        if selection.source_type is not None:
            query = query.where(LedgerEntryRow.source_type == selection.source_type.value)
        if selection.accrued_from is not None:
            query = query.where(LedgerEntryRow.accrued_at >= selection.accrued_from)
        if selection.accrued_to is not None:
            query = query.where(LedgerEntryRow.accrued_at < selection.accrued_to)
        if after is not None:
            query = query.where(sa.tuple_(LedgerEntryRow.accrued_at, LedgerEntryRow.entry_id) < sa.tuple_(*after))
        query = query.order_by(LedgerEntryRow.accrued_at.desc(), LedgerEntryRow.entry_id.desc())
        rows = await self._session.scalars(query.limit(limit + 1))
        return [entry_from_row(r) for r in rows]
