"""Logins attached to a partner card, their roles, access groups and who may attach whom (R-EMP-01..05)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ppcore.personal_data import LegalBasis
from status_service.domain.enums import AccessGroup, Permission, Role


@dataclass(frozen=True)
class Actor:
    """Who asks: a partner login, or program staff."""

    login: str = ""
    is_staff: bool = False

    @classmethod
    def staff(cls, login: str = "") -> Actor:
        return cls(login=login, is_staff=True)


@dataclass(frozen=True)
class Employee:
    login: str
    role: Role
    access_groups: frozenset[AccessGroup]
    attached_time: datetime
    # Held under the partner agreement (R-PD-01, annex 1 p.2.2).
    legal_basis: LegalBasis = LegalBasis.PARTIES_AGREEMENTS


# R-EMP-01: the main user adds full, limited and specialists; R-EMP-02: a full-rights
# employee adds limited and specialists only; R-EMP-03/04: the others add nobody.
_MAY_ATTACH: dict[Role, frozenset[Role]] = {
    Role.MAIN: frozenset({Role.FULL, Role.LIMITED, Role.CERTIFIED_SPECIALIST}),
    Role.FULL: frozenset({Role.LIMITED, Role.CERTIFIED_SPECIALIST}),
    Role.LIMITED: frozenset(),
    Role.CERTIFIED_SPECIALIST: frozenset(),
}

_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # R-EMP-01: the main user sees everything.
    Role.MAIN: frozenset(
        {
            Permission.VIEW_PARTNER_SECTIONS,
            Permission.VIEW_CABINET,
            Permission.BUY_AT_DISCOUNT,
            Permission.EDIT_CARD,
            Permission.ATTACH_FULL,
            Permission.ATTACH_LIMITED,
            Permission.ATTACH_CERTIFIED_SPECIALIST,
            Permission.PARTNER_SUPPORT,
        }
    ),
    # R-EMP-02 / R-ENT-02: full rights buy at the discount and edit the card.
    Role.FULL: frozenset(
        {
            Permission.VIEW_PARTNER_SECTIONS,
            Permission.VIEW_CABINET,
            Permission.BUY_AT_DISCOUNT,
            Permission.EDIT_CARD,
            Permission.ATTACH_LIMITED,
            Permission.ATTACH_CERTIFIED_SPECIALIST,
            Permission.PARTNER_SUPPORT,
        }
    ),
    # R-EMP-03: no "Buy", no "Partner cabinet", no card edits.
    Role.LIMITED: frozenset({Permission.VIEW_PARTNER_SECTIONS, Permission.PARTNER_SUPPORT}),
    # R-EMP-04: a certified specialist gets no rights.
    Role.CERTIFIED_SPECIALIST: frozenset(),
}

_GROUP_PERMISSIONS: dict[AccessGroup, Permission] = {
    AccessGroup.MARKETPLACE: Permission.MANAGE_MARKETPLACE_MODULES,  # R-EMP-05
    AccessGroup.LEADS: Permission.TAKE_LEADS,  # R-EMP-05, R-LEAD-02
}


def role_permissions(role: Role, groups: frozenset[AccessGroup]) -> frozenset[Permission]:
    """What a role plus its access groups allows, before any sanction or termination."""
    return _ROLE_PERMISSIONS[role] | {_GROUP_PERMISSIONS[g] for g in groups}


def may_attach(actor_role: Role, role: Role) -> bool:
    return role in _MAY_ATTACH[actor_role]


def can_buy_at_discount(role: Role) -> bool:
    """Only the main user and full-rights employees buy at the partner discount (R-ENT-02)."""
    return Permission.BUY_AT_DISCOUNT in _ROLE_PERMISSIONS[role]


@dataclass
class Roster:
    """The employees section of one partner card; exactly one main user (R-EMP-01)."""

    partner_id: str
    employees: dict[str, Employee] = field(default_factory=dict)

    @classmethod
    def with_main_user(cls, partner_id: str, login: str, now: datetime) -> Roster:
        return cls(partner_id, {login: Employee(login, Role.MAIN, frozenset(), now)})

    @property
    def main_login(self) -> str:
        return next(e.login for e in self.employees.values() if e.role is Role.MAIN)

    def logins(self) -> frozenset[str]:
        return frozenset(self.employees)

    def get(self, login: str) -> Employee | None:
        return self.employees.get(login)

    def require(self, login: str) -> Employee:
        employee = self.employees.get(login)
        if employee is None:
            raise NotFound(
                reason="EMPLOYEE_NOT_FOUND", message=f"login {login} is not attached to partner {self.partner_id}"
            )
        return employee

    def _actor_role(self, actor: Actor) -> Role:
        employee = self.employees.get(actor.login)
        if employee is None:
            raise PermissionDenied(
                reason="NOT_A_PARTNER_EMPLOYEE",
                message=f"actor {actor.login or '<anonymous>'} is not attached to partner {self.partner_id} (R-EMP-01)",
                rule="R-EMP-01",
            )
        return employee.role

    def _check_may_attach(self, actor: Actor, role: Role) -> None:
        if role is Role.MAIN:
            raise FailedPrecondition(
                reason="MAIN_USER_EXISTS",
                message=f"role: partner {self.partner_id} already has its main user {self.main_login}; a change "
                "goes through staff on a written request (R-EMP-01)",
                rule="R-EMP-01",
                metadata={"field": "role"},
            )
        if actor.is_staff:
            return
        actor_role = self._actor_role(actor)
        if not may_attach(actor_role, role):
            raise PermissionDenied(
                reason="ROLE_MAY_NOT_ATTACH",
                message=f"role: a {actor_role} login may not attach a {role} employee (R-EMP-01, R-EMP-02)",
                rule="R-EMP-02" if actor_role is not Role.MAIN else "R-EMP-01",
                metadata={"field": "role"},
            )

    def attach(
        self,
        actor: Actor,
        login: str,
        role: Role,
        groups: frozenset[AccessGroup],
        now: datetime,
        *,
        attached_elsewhere: str | None = None,
    ) -> Employee:
        """Attach ``login``; ``attached_elsewhere`` is the partner that already holds it, if any."""
        if not login.strip():
            raise InvalidArgument.for_field("login", "is required (R-EMP-01)", reason="FIELD_REQUIRED", rule="R-EMP-01")
        self._check_may_attach(actor, role)
        if login in self.employees:
            raise AlreadyExists(
                reason="EMPLOYEE_ALREADY_ATTACHED",
                message=f"login: {login} is already attached to partner {self.partner_id} (R-EMP-06)",
                rule="R-EMP-06",
            )
        if attached_elsewhere is not None and attached_elsewhere != self.partner_id:
            # One card per login, so a certificate counts for one partner only (R-EMP-06).
            raise FailedPrecondition(
                reason="LOGIN_ATTACHED_ELSEWHERE",
                message=f"login: {login} is attached to another partner (R-EMP-06)",
                rule="R-EMP-06",
                metadata={"field": "login"},
            )
        employee = Employee(login, role, groups, now)
        self.employees[login] = employee
        return employee

    def set_access_groups(self, actor: Actor, login: str, groups: frozenset[AccessGroup]) -> Employee:
        employee = self.require(login)
        if employee.role is not Role.MAIN:
            self._check_may_attach(actor, employee.role)
        elif not actor.is_staff and actor.login != employee.login:
            raise PermissionDenied(
                reason="ROLE_MAY_NOT_ATTACH",
                message="only the main user or staff change the main user's access groups (R-EMP-01)",
                rule="R-EMP-01",
            )
        updated = replace(employee, access_groups=groups)
        self.employees[login] = updated
        return updated

    def detach(self, actor: Actor, login: str) -> Employee:
        employee = self.require(login)
        if employee.role is Role.MAIN:
            raise FailedPrecondition(
                reason="MAIN_USER_NOT_DETACHABLE",
                message=f"login: {login} is the main user; staff change it on a written request (R-EMP-01)",
                rule="R-EMP-01",
                metadata={"field": "login"},
            )
        # Leaving on one's own is always allowed; otherwise the attach rules apply.
        if actor.login != login:
            self._check_may_attach(actor, employee.role)
        del self.employees[login]
        return employee

    def change_main_user(self, actor: Actor, new_login: str, now: datetime, *, previous_main_role: Role | None) -> str:
        """Staff replace the main user; the previous one stays with ``previous_main_role`` or leaves (None)."""
        if not actor.is_staff:
            raise PermissionDenied(
                reason="STAFF_ONLY",
                message="the main user is changed by staff on a written request (R-EMP-01)",
                rule="R-EMP-01",
            )
        if previous_main_role is Role.MAIN:
            raise InvalidArgument.for_field(
                "previous_main_role",
                "there is exactly one main user (R-EMP-01)",
                reason="INVALID_ROLE",
                rule="R-EMP-01",
            )
        previous = self.main_login
        if new_login == previous:
            raise FailedPrecondition(
                reason="ALREADY_MAIN_USER", message=f"new_login: {new_login} is already the main user", rule="R-EMP-01"
            )
        kept = self.employees.get(new_login)
        groups = kept.access_groups if kept else frozenset()
        old = self.employees.pop(previous)
        if previous_main_role is not None:
            self.employees[previous] = replace(old, role=previous_main_role)
        self.employees[new_login] = Employee(new_login, Role.MAIN, groups, kept.attached_time if kept else now)
        return previous
