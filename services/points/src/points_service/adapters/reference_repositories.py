"""What points keeps of other services' facts: partners (from status) and refuse-points
sanctions (from compliance, R-PTS-07)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from points_service.adapters.orm import KnownPartnerRow, RefusePointsSanctionRow
from points_service.domain.sanctions import RefusePointsSanction


@dataclass(frozen=True)
class KnownPartner:
    partner_id: str
    terminated_on: date | None

    def terminated_by(self, today: date) -> bool:
        return self.terminated_on is not None and self.terminated_on <= today


class PartnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, partner_id: str) -> KnownPartner | None:
        row = await self._session.get(KnownPartnerRow, partner_id)
        return KnownPartner(row.partner_id, row.terminated_on) if row is not None else None

    async def approved(self, partner_id: str, company_name: str) -> None:
        row = await self._session.get(KnownPartnerRow, partner_id)
        if row is None:
            self._session.add(KnownPartnerRow(partner_id=partner_id, company_name=company_name))
        else:
            row.company_name = company_name

    async def terminated(self, partner_id: str, effective: date) -> None:
        row = await self._session.get(KnownPartnerRow, partner_id)
        if row is None:
            self._session.add(KnownPartnerRow(partner_id=partner_id, company_name="", terminated_on=effective))
        else:
            row.terminated_on = effective


class SanctionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_partner(self, partner_id: str) -> list[RefusePointsSanction]:
        rows = await self._session.scalars(
            sa.select(RefusePointsSanctionRow).where(RefusePointsSanctionRow.partner_id == partner_id)
        )
        return [
            RefusePointsSanction(
                sanction_id=r.sanction_id,
                partner_id=r.partner_id,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                lifted_at=r.lifted_at,
                reason=r.reason,
            )
            for r in rows
        ]

    async def applied(self, sanction: RefusePointsSanction) -> None:
        row = await self._session.get(RefusePointsSanctionRow, sanction.sanction_id)
        if row is None:
            self._session.add(
                RefusePointsSanctionRow(
                    sanction_id=sanction.sanction_id,
                    partner_id=sanction.partner_id,
                    starts_at=sanction.starts_at,
                    ends_at=sanction.ends_at,
                    lifted_at=None,
                    reason=sanction.reason,
                )
            )
            return
        row.starts_at = sanction.starts_at
        row.ends_at = sanction.ends_at
        row.reason = sanction.reason

    async def lifted(self, sanction: RefusePointsSanction, at: datetime) -> None:
        """A lift may arrive for a sanction points never saw apply: keep it, lifted, for the history."""
        await self.applied(sanction)
        await self._session.flush()
        await self._session.execute(
            sa.update(RefusePointsSanctionRow)
            .where(RefusePointsSanctionRow.sanction_id == sanction.sanction_id)
            .values(lifted_at=at)
        )
