"""Attaching and detaching logins with events, and "what may this login do" (R-EMP-01..05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition
from status_service.domain.employees import Actor, Employee, role_permissions
from status_service.domain.enums import AccessGroup, Permission, Role
from status_service.domain.events import EmployeeAccessChanged, EmployeeAttached, EmployeeDetached, MainUserChanged
from status_service.domain.partner import Partner

_CABINET_PERMISSIONS = frozenset(
    {
        Permission.VIEW_CABINET,
        Permission.BUY_AT_DISCOUNT,
        Permission.EDIT_CARD,
        Permission.ATTACH_FULL,
        Permission.ATTACH_LIMITED,
        Permission.ATTACH_CERTIFIED_SPECIALIST,
    }
)


def _require_open_cabinet(partner: Partner, actor: Actor, today: date) -> None:
    partner.require_active(today)
    if not actor.is_staff and partner.restrictions(today).cabinet_blocked:
        raise FailedPrecondition(
            reason="CABINET_BLOCKED",
            message=f"the cabinet of partner {partner.partner_id} is blocked by a sanction (R-SAN-07)",
            rule="R-SAN-07",
        )


def attach_employee(
    partner: Partner,
    actor: Actor,
    login: str,
    role: Role,
    groups: frozenset[AccessGroup],
    now: datetime,
    *,
    attached_elsewhere: str | None = None,
) -> Employee:
    _require_open_cabinet(partner, actor, kyiv_date(now))
    employee = partner.roster.attach(actor, login, role, groups, now, attached_elsewhere=attached_elsewhere)
    partner.record(
        EmployeeAttached(partner_id=partner.partner_id, occurred_time=now, login=login, role=role, access_groups=groups)
    )
    return employee


def detach_employee(partner: Partner, actor: Actor, login: str, now: datetime) -> Employee:
    """Detaching removes the login's certificates from the partner's count (R-EMP-06)."""
    _require_open_cabinet(partner, actor, kyiv_date(now))
    employee = partner.roster.detach(actor, login)
    partner.record(EmployeeDetached(partner_id=partner.partner_id, occurred_time=now, login=login, role=employee.role))
    return employee


def set_access_groups(
    partner: Partner, actor: Actor, login: str, groups: frozenset[AccessGroup], now: datetime
) -> Employee:
    _require_open_cabinet(partner, actor, kyiv_date(now))
    employee = partner.roster.set_access_groups(actor, login, groups)
    partner.record(
        EmployeeAccessChanged(
            partner_id=partner.partner_id, occurred_time=now, login=login, role=employee.role, access_groups=groups
        )
    )
    return employee


def change_main_user(
    partner: Partner,
    actor: Actor,
    new_login: str,
    now: datetime,
    *,
    previous_main_role: Role | None = Role.FULL,
    new_login_attached_elsewhere: str | None = None,
) -> None:
    """Staff handle the written request to change the main user (R-EMP-01)."""
    partner.require_active(kyiv_date(now))
    if new_login_attached_elsewhere is not None and new_login_attached_elsewhere != partner.partner_id:
        raise FailedPrecondition(
            reason="LOGIN_ATTACHED_ELSEWHERE",
            message=f"new_login: {new_login} is attached to another partner (R-EMP-06)",
            rule="R-EMP-06",
        )
    previous = partner.roster.change_main_user(actor, new_login, now, previous_main_role=previous_main_role)
    partner.record(
        MainUserChanged(partner_id=partner.partner_id, occurred_time=now, previous_login=previous, new_login=new_login)
    )


@dataclass(frozen=True)
class Access:
    """The answer to "what may this login do": empty for a login attached nowhere."""

    login: str
    partner_id: str
    role: Role | None
    access_groups: frozenset[AccessGroup]
    permissions: frozenset[Permission]


def access_of(partner: Partner | None, login: str, today: date) -> Access:
    """Role and groups (R-EMP-01..05) narrowed by termination and sanctions (R-PRT-07, R-SAN-07, R-LEAD-03)."""
    employee = partner.roster.get(login) if partner else None
    if partner is None or employee is None:
        return Access(login, "", None, frozenset(), frozenset())
    if partner.is_terminated(today):
        return Access(login, partner.partner_id, employee.role, employee.access_groups, frozenset())
    permissions = set(role_permissions(employee.role, employee.access_groups))
    restrictions = partner.restrictions(today)
    if restrictions.cabinet_blocked:
        permissions -= _CABINET_PERMISSIONS
    if restrictions.discount_blocked or restrictions.contract_suspended:
        permissions.discard(Permission.BUY_AT_DISCOUNT)
    if restrictions.leads_disconnected:
        permissions.discard(Permission.TAKE_LEADS)
    return Access(login, partner.partner_id, employee.role, employee.access_groups, frozenset(permissions))
