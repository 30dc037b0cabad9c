"""Lead use cases: receive, moderate, offer, take, decline (R-LEAD-01..03)."""

from __future__ import annotations

import uuid
from datetime import datetime

from ppcore.clock import kyiv_date
from ppcore.errors import not_found
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain import leads as rules
from status_service.domain.leads import Lead
from status_service.service_layer.common import load_partner
from status_service.service_layer.queries import lead_recipients_in


async def _load(uow: StatusUnitOfWork, lead_id: str) -> Lead:
    lead = await uow.leads.get(lead_id, for_update=True)
    if lead is None:
        raise not_found("lead", lead_id)
    return lead


async def receive(uow: StatusUnitOfWork, city: str, description: str, now: datetime) -> Lead:
    lead = rules.receive_lead(uuid.uuid4().hex, city, description, now)
    await uow.leads.save(lead)
    return lead


async def moderate(
    uow: StatusUnitOfWork, lead_id: str, *, approve: bool, staff_login: str, note: str, now: datetime
) -> Lead:
    lead = await _load(uow, lead_id)
    rules.moderate_lead(lead, approve=approve, staff_login=staff_login, note=note, now=now)
    await uow.leads.save(lead)
    return lead


async def offer(uow: StatusUnitOfWork, lead_id: str, now: datetime) -> Lead:
    """Offer a moderated lead to the partners its city and their status entitle (R-LEAD-01..03)."""
    lead = await _load(uow, lead_id)
    rules.offer_lead(lead, await lead_recipients_in(uow, lead.city, kyiv_date(now)), now)
    await uow.leads.save(lead)
    return lead


async def answer(
    uow: StatusUnitOfWork, lead_id: str, partner_id: str, login: str, *, take: bool, now: datetime
) -> Lead:
    lead = await _load(uow, lead_id)
    partner = await load_partner(uow, partner_id, for_update=False)
    if take:
        rules.take_lead(lead, partner, login, now)
    else:
        rules.decline_lead(lead, partner, login, now)
    await uow.leads.save(lead)
    return lead
