"""The local copy of which partners exist, kept from the status service's events."""

from __future__ import annotations

from datetime import date, datetime

from compliance_service.adapters.uow import ComplianceUnitOfWork


async def partner_approved(uow: ComplianceUnitOfWork, partner_id: str, approved_at: datetime) -> None:
    await uow.partners.record_approved(partner_id, approved_at)


async def partner_terminated(
    uow: ComplianceUnitOfWork, partner_id: str, effective_date: date, seen_at: datetime
) -> None:
    # A terminated partner's cases and sanctions stay: violations found later are still recorded.
    await uow.partners.record_terminated(partner_id, effective_date, seen_at)
