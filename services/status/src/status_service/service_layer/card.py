"""Card changes through moderation (R-CARD-01/02)."""

from __future__ import annotations

import uuid
from datetime import datetime

from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain import card_moderation
from status_service.domain.card import CardContent, CardRevision
from status_service.domain.employees import Actor
from status_service.domain.partner import Partner
from status_service.service_layer.common import load_partner, save


async def propose(
    uow: StatusUnitOfWork, partner_id: str, actor: Actor, content: CardContent, now: datetime
) -> CardRevision:
    partner = await load_partner(uow, partner_id)
    revision = card_moderation.propose_card_change(partner, actor, uuid.uuid4().hex, content, now)
    await save(uow, partner, now)
    return revision


async def approve(uow: StatusUnitOfWork, partner_id: str, revision_id: str, note: str, now: datetime) -> Partner:
    partner = await load_partner(uow, partner_id)
    card_moderation.approve_card_change(partner, revision_id, now, note)
    await save(uow, partner, now)
    return partner


async def reject(uow: StatusUnitOfWork, partner_id: str, revision_id: str, note: str, now: datetime) -> CardRevision:
    partner = await load_partner(uow, partner_id)
    revision = card_moderation.reject_card_change(partner, revision_id, note, now)
    await save(uow, partner, now)
    return revision
