"""NFR-withdrawal sanctions as licensing enforces them (R-NFR-11, R-SAN-08)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from licensing_service.adapters.orm import NfrSanctionRow


class SanctionState(StrEnum):
    PENDING = "PENDING"  # starts on a later date; the daily job applies it
    APPLIED = "APPLIED"
    LIFTED = "LIFTED"


class SanctionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, sanction_id: str) -> NfrSanctionRow | None:
        return await self._session.get(NfrSanctionRow, sanction_id)

    def add(self, row: NfrSanctionRow) -> None:
        self._session.add(row)

    async def pending_due(self, on: date) -> list[NfrSanctionRow]:
        rows = await self._session.execute(
            sa.select(NfrSanctionRow)
            .where(NfrSanctionRow.state == SanctionState.PENDING.value, NfrSanctionRow.start_date <= on)
            .order_by(NfrSanctionRow.start_date, NfrSanctionRow.sanction_id)
        )
        return list(rows.scalars().all())
