"""Employees, certificates and "what may this login do" (R-EMP-01..06)."""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import not_found
from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork, publish_recorded
from status_service.domain import certificates as cert_rules
from status_service.domain import staffing
from status_service.domain.certificates import Certificate
from status_service.domain.employees import Actor, Employee
from status_service.domain.enums import AccessGroup, Role
from status_service.domain.events import CertificateRecorded, CertificateRevoked
from status_service.domain.staffing import Access
from status_service.service_layer.common import load_partner, reevaluate, save


async def attach(
    uow: StatusUnitOfWork,
    partner_id: str,
    actor: Actor,
    login: str,
    role: Role,
    groups: frozenset[AccessGroup],
    now: datetime,
    policy: ProgramPolicy,
) -> Employee:
    partner = await load_partner(uow, partner_id)
    elsewhere = await uow.partners.partner_of_login(login)
    employee = staffing.attach_employee(partner, actor, login, role, groups, now, attached_elsewhere=elsewhere)
    await reevaluate(uow, partner, now, policy)  # its certificates now count (R-EMP-06)
    await save(uow, partner, now)
    return employee


async def detach(
    uow: StatusUnitOfWork, partner_id: str, actor: Actor, login: str, now: datetime, policy: ProgramPolicy
) -> Employee:
    partner = await load_partner(uow, partner_id)
    employee = staffing.detach_employee(partner, actor, login, now)
    await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)
    return employee


async def set_groups(
    uow: StatusUnitOfWork, partner_id: str, actor: Actor, login: str, groups: frozenset[AccessGroup], now: datetime
) -> Employee:
    partner = await load_partner(uow, partner_id)
    employee = staffing.set_access_groups(partner, actor, login, groups, now)
    await save(uow, partner, now)
    return employee


async def change_main_user(
    uow: StatusUnitOfWork,
    partner_id: str,
    actor: Actor,
    new_login: str,
    previous_main_role: Role | None,
    now: datetime,
    policy: ProgramPolicy,
) -> Employee:
    partner = await load_partner(uow, partner_id)
    elsewhere = await uow.partners.partner_of_login(new_login)
    staffing.change_main_user(
        partner,
        actor,
        new_login,
        now,
        previous_main_role=previous_main_role,
        new_login_attached_elsewhere=elsewhere,
    )
    await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)
    return partner.roster.require(new_login)


async def access(uow: StatusUnitOfWork, login: str, today: date) -> Access:
    partner_id = await uow.partners.partner_of_login(login)
    partner = await uow.partners.get(partner_id) if partner_id else None
    return staffing.access_of(partner, login, today)


async def record_certificate(
    uow: StatusUnitOfWork,
    certificate_id: str,
    login: str,
    course_code: str,
    issued_date: date,
    now: datetime,
    policy: ProgramPolicy,
) -> Certificate:
    """Idempotent by certificate id; counts only while the login is attached (R-EMP-06)."""
    existing = await uow.certificates.get(certificate_id)
    certificate = cert_rules.record_certificate(
        existing, certificate_id, login, course_code, issued_date, kyiv_date(now)
    )
    if certificate is None:
        assert existing is not None
        return existing
    await uow.certificates.save(certificate)
    partner_id = await uow.partners.partner_of_login(login)
    event = CertificateRecorded(
        partner_id=partner_id or "",
        occurred_time=now,
        certificate_id=certificate_id,
        login=login,
        course_code=course_code,
        issued_date=issued_date,
    )
    await _after_certificate_change(uow, partner_id, event, now, policy)
    return certificate


async def revoke_certificate(
    uow: StatusUnitOfWork, certificate_id: str, reason: str, now: datetime, policy: ProgramPolicy
) -> Certificate:
    existing = await uow.certificates.get(certificate_id)
    if existing is None:
        raise not_found("certificate", certificate_id)
    certificate = cert_rules.revoke_certificate(existing, reason, now)
    await uow.certificates.save(certificate)
    partner_id = await uow.partners.partner_of_login(certificate.login)
    event = CertificateRevoked(
        partner_id=partner_id or "",
        occurred_time=now,
        certificate_id=certificate_id,
        login=certificate.login,
        course_code=certificate.course_code,
        reason=reason,
    )
    await _after_certificate_change(uow, partner_id, event, now, policy)
    return certificate


async def _after_certificate_change(
    uow: StatusUnitOfWork,
    partner_id: str | None,
    event: CertificateRecorded | CertificateRevoked,
    now: datetime,
    policy: ProgramPolicy,
) -> None:
    if partner_id is None:
        publish_recorded(uow, [event])
        return
    partner = await load_partner(uow, partner_id)
    partner.record(event)
    if not partner.is_terminated(kyiv_date(now)):
        await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)
