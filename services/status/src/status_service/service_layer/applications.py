"""Applications and their review (R-PRT-01..04)."""

from __future__ import annotations

import uuid
from datetime import datetime

from ppcore.errors import not_found
from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain import application as rules
from status_service.domain.application import ApplicantData, Application
from status_service.domain.enums import ApplicationState
from status_service.domain.lifecycle import approve_application
from status_service.domain.partner import Partner
from status_service.service_layer.common import save


async def _load(uow: StatusUnitOfWork, application_id: str) -> Application:
    application = await uow.applications.get(application_id, for_update=True)
    if application is None:
        raise not_found("application", application_id)
    return application


async def create_application(uow: StatusUnitOfWork, data: ApplicantData, now: datetime) -> Application:
    """Refused without personal-data consent (R-PRT-02)."""
    application = rules.submit_application(uuid.uuid4().hex, data, now)
    await uow.applications.save(application)
    return application


async def approve(
    uow: StatusUnitOfWork, application_id: str, now: datetime, policy: ProgramPolicy
) -> tuple[Application, Partner]:
    """The applicant becomes a Business partner and its main user (R-PRT-04, R-STS-01, R-EMP-01)."""
    application = await _load(uow, application_id)
    elsewhere = await uow.partners.partner_of_login(application.data.applicant_login)
    approved, partner = approve_application(
        application, uuid.uuid4().hex, now, policy, applicant_attached_elsewhere=elsewhere
    )
    await uow.applications.save(approved)
    await save(uow, partner, now, new=True)
    return approved, partner


async def reject(uow: StatusUnitOfWork, application_id: str, reason: str, now: datetime) -> Application:
    application = rules.reject_application(await _load(uow, application_id), reason, now)
    await uow.applications.save(application)
    return application


async def request_info(uow: StatusUnitOfWork, application_id: str, note: str, now: datetime) -> Application:
    application = rules.request_more_info(await _load(uow, application_id), note, now)
    await uow.applications.save(application)
    return application


async def provide_info(uow: StatusUnitOfWork, application_id: str, data: ApplicantData, now: datetime) -> Application:
    application = rules.provide_more_info(await _load(uow, application_id), data, now)
    await uow.applications.save(application)
    return application


async def list_applications(
    uow: StatusUnitOfWork,
    state: ApplicationState | None,
    overdue_only: bool,
    offset: int,
    limit: int,
    now: datetime,
    policy: ProgramPolicy,
) -> list[Application]:
    """Overdue ones are those under review past the review deadline in business days (R-PRT-03)."""
    if not overdue_only:
        return await uow.applications.page(state, offset, limit)
    calendar, days = policy.business_calendar(), policy.deadlines.application_review_days
    open_ones = await uow.applications.page(state, 0, 1_000_000, open_only=True)
    overdue = [a for a in open_ones if a.is_overdue(calendar, days, now)]
    return overdue[offset : offset + limit]
