"""Erasure of a data subject's personal data on demand, keeping the history (R-PD-03)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from status_service.adapters.repositories import applicant_from_json, applicant_to_json
from status_service.adapters.uow import StatusUnitOfWork
from status_service.service_layer.common import load_partner

ERASED = "[erased]"


async def erase_personal_data(
    uow: StatusUnitOfWork, partner_id: str, login: str, email: str, phone: str, now: datetime
) -> int:
    """Anonymise contacts in applications and the card; ids, decisions and history stay.

    Returns how many records were changed.
    """
    changed = 0
    for row in await uow.applications.matching_person(login, email, phone):
        data = applicant_from_json(row.data)
        row.data = applicant_to_json(replace(data, contact_name=ERASED, contact_email=ERASED, contact_phone=ERASED))
        changed += 1
    if partner_id and await uow.partners.get(partner_id) is not None:
        partner = await load_partner(uow, partner_id)
        card = partner.card
        if phone and card.published is not None and card.published.phone == phone:
            card.published = replace(card.published, phone="")
            changed += 1
        if phone and card.pending is not None and card.pending.content.phone == phone:
            card.pending = replace(card.pending, content=replace(card.pending.content, phone=""))
            changed += 1
        await uow.partners.save(partner, now.date())
    await uow.session.flush()
    return changed
