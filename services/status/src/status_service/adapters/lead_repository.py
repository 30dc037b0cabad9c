"""Leads and their offers (R-LEAD-01/02): load and save the lead, list by state or partner."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ppcore.uow import Touched, untouched
from status_service.adapters.orm import LeadOfferRow, LeadRow
from status_service.domain.enums import LeadDelivery, LeadState, OfferState
from status_service.domain.leads import Lead, LeadOffer


class LeadRepository:
    def __init__(self, session: AsyncSession, touched: Touched = untouched) -> None:
        self._session = session
        self._touched = touched  # every partner a lead is offered to sees it in its view (R-CARD-04)

    async def get(self, lead_id: str, *, for_update: bool = False) -> Lead | None:
        stmt = sa.select(LeadRow).where(LeadRow.lead_id == lead_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._session.execute(stmt)).scalar_one_or_none()
        if row is None:
            return None
        offers = (
            await self._session.execute(
                sa.select(LeadOfferRow).where(LeadOfferRow.lead_id == lead_id).order_by(LeadOfferRow.partner_id)
            )
        ).scalars()
        return _lead(row, list(offers))

    async def save(self, lead: Lead) -> None:
        for partner_id in lead.offers:
            self._touched(partner_id)
        row = await self._session.get(LeadRow, lead.lead_id)
        if row is None:
            row = LeadRow(lead_id=lead.lead_id)
            self._session.add(row)
        row.state = lead.state.value
        row.city = lead.city
        row.city_key = lead.city_key
        row.description = lead.description
        row.received_at = lead.received_time
        row.moderated_by = lead.moderated_by
        row.moderated_at = lead.moderated_time
        row.moderation_note = lead.moderation_note
        row.offered_at = lead.offered_time
        row.taken_by_partner_id = lead.taken_by_partner_id
        row.taken_by_login = lead.taken_by_login
        for offer in lead.offers.values():
            offer_row = await self._session.get(LeadOfferRow, (lead.lead_id, offer.partner_id))
            if offer_row is None:
                offer_row = LeadOfferRow(lead_id=lead.lead_id, partner_id=offer.partner_id)
                self._session.add(offer_row)
            offer_row.delivery = offer.delivery.value
            offer_row.state = offer.state.value
            offer_row.login = offer.login
            offer_row.decided_at = offer.decided_time
        await self._session.flush()

    async def page(self, state: LeadState | None, partner_id: str, offset: int, limit: int) -> list[Lead]:
        """Oldest first; ``partner_id`` keeps the leads offered to that partner."""
        stmt = sa.select(LeadRow.lead_id).order_by(LeadRow.received_at, LeadRow.lead_id)
        if state is not None:
            stmt = stmt.where(LeadRow.state == state.value)
        if partner_id:
            offered = sa.select(LeadOfferRow.lead_id).where(LeadOfferRow.partner_id == partner_id)
            stmt = stmt.where(LeadRow.lead_id.in_(offered))
        ids = (await self._session.execute(stmt.offset(offset).limit(limit))).scalars().all()
        leads = [await self.get(lead_id) for lead_id in ids]
        return [lead for lead in leads if lead is not None]


def _lead(row: LeadRow, offers: list[LeadOfferRow]) -> Lead:
    return Lead(
        lead_id=row.lead_id,
        city=row.city,
        description=row.description,
        received_time=row.received_at,
        state=LeadState(row.state),
        moderated_by=row.moderated_by,
        moderated_time=row.moderated_at,
        moderation_note=row.moderation_note,
        offered_time=row.offered_at,
        offers={
            o.partner_id: LeadOffer(
                partner_id=o.partner_id,
                delivery=LeadDelivery(o.delivery),
                state=OfferState(o.state),
                login=o.login,
                decided_time=o.decided_at,
            )
            for o in offers
        },
        taken_by_partner_id=row.taken_by_partner_id,
        taken_by_login=row.taken_by_login,
    )
