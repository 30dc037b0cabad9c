"""Use cases of personal-data requests (R-PD-01..05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.domain import personal_data as domain
from compliance_service.service_layer.deps import Deps
from ppcore.errors import not_found
from ppcore.personal_data import LegalBasis


@dataclass(frozen=True)
class OpenRequest:
    kind: domain.PersonalDataRequestKind
    partner_id: str
    subject: domain.DataSubject
    description: str
    received_date: date
    actor: str
    legal_basis: LegalBasis | None = None


async def open_request(uow: ComplianceUnitOfWork, deps: Deps, command: OpenRequest) -> domain.PersonalDataRequest:
    """Register a request; its deadline counts business days of the program calendar (R-PD-02..04)."""
    request = domain.open_personal_data_request(
        pd_request_id=deps.new_id(),
        kind=command.kind,
        received_date=command.received_date,
        subject=command.subject,
        description=command.description,
        opened_by=command.actor,
        now=deps.clock.now(),
        policy=deps.policy,
        partner_id=command.partner_id,
        legal_basis=command.legal_basis,
    )
    uow.personal_data.add(request)
    return request


async def complete_request(
    uow: ComplianceUnitOfWork, deps: Deps, pd_request_id: str, *, note: str, actor: str
) -> domain.PersonalDataRequest:
    """Close a request. Stop-processing erases the person here and asks every service to (R-PD-03)."""
    request = await uow.personal_data.get(pd_request_id, for_update=True)
    if request is None:
        raise not_found("personal_data_request", pd_request_id)
    subject = request.subject
    event = request.complete(note=note, completed_by=actor, now=deps.clock.now(), policy=deps.policy)
    await uow.personal_data.save(request)
    if event is not None:
        # This service's own copy of the person: every other request naming them.
        await uow.personal_data.erase_subject(subject, request.subject_fingerprint)
        uow.record(event)
    return request


async def overdue(
    uow: ComplianceUnitOfWork, today: date, *, offset: int, limit: int
) -> list[domain.PersonalDataRequest]:
    """Open requests past their deadline, most overdue first (R-PD-05)."""
    return await uow.personal_data.overdue(today, offset=offset, limit=limit)
