"""Read-only answers: partners, employees, competencies, leads (R-CARD-*, R-CMP-04, R-LEAD-*)."""

from __future__ import annotations

from datetime import date

from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.competencies import active_competencies
from status_service.domain.leads import LeadRecipient, lead_candidate, lead_recipients
from status_service.domain.partner import Partner


def active_codes(partner: Partner, policy: ProgramPolicy) -> frozenset[str]:
    """Badges shown: held and still allowed at the current status (R-CMP-02/04)."""
    return active_competencies(partner.competencies, partner.status.tier, policy)


async def lead_recipients_in(uow: StatusUnitOfWork, city: str, today: date) -> list[LeadRecipient]:
    """Every partner that may receive a lead in ``city`` and why (R-LEAD-01..03)."""
    candidates = [lead_candidate(partner, today) for partner in await uow.partners.every()]
    return lead_recipients(candidates, city)
