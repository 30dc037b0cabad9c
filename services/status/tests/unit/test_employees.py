"""Employees, roles, access groups and certificates (R-EMP-01..06)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PermissionDenied
from status_service.domain.certificates import (
    certified_employee_count,
    courses_by_login,
    record_certificate,
    revoke_certificate,
)
from status_service.domain.employees import Actor
from status_service.domain.enums import AccessGroup, Permission, Role
from status_service.domain.events import EmployeeAttached, EmployeeDetached, MainUserChanged
from status_service.domain.partner import Partner
from status_service.domain.staffing import access_of, attach_employee, change_main_user, detach_employee

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
NONE: frozenset[AccessGroup] = frozenset()


def test_main_user_attaches_full_limited_and_specialists_and_sees_everything(make_partner: MakePartner) -> None:
    """R-EMP-01: the main user may add every other role."""
    partner = make_partner()
    main = Actor("olena")
    for login, role in (("f", Role.FULL), ("l", Role.LIMITED), ("s", Role.CERTIFIED_SPECIALIST)):
        attach_employee(partner, main, login, role, NONE, T0)
    assert isinstance(partner.events[-1], EmployeeAttached)
    assert Permission.VIEW_CABINET in access_of(partner, "olena", TODAY).permissions


def test_a_second_main_user_is_refused(make_partner: MakePartner) -> None:
    """R-EMP-01: exactly one main user; changing it goes through staff."""
    partner = make_partner()
    with pytest.raises(FailedPrecondition) as raised:
        attach_employee(partner, Actor("olena"), "x", Role.MAIN, NONE, T0)
    assert (raised.value.reason, raised.value.rule) == ("MAIN_USER_EXISTS", "R-EMP-01")
    with pytest.raises(PermissionDenied):
        change_main_user(partner, Actor("olena"), "x", T0)
    change_main_user(partner, Actor.staff("admin"), "x", T0)
    assert partner.roster.main_login == "x"
    assert partner.roster.require("olena").role is Role.FULL
    assert isinstance(partner.events[-1], MainUserChanged)


def test_full_rights_employee_adds_limited_and_specialists_but_not_full(make_partner: MakePartner) -> None:
    """R-EMP-02: full rights buy, edit the card, and attach limited employees and specialists only."""
    partner = make_partner()
    attach_employee(partner, Actor("olena"), "f", Role.FULL, NONE, T0)
    attach_employee(partner, Actor("f"), "l", Role.LIMITED, NONE, T0)
    with pytest.raises(PermissionDenied) as raised:
        attach_employee(partner, Actor("f"), "f2", Role.FULL, NONE, T0)
    assert raised.value.rule == "R-EMP-02"
    permissions = access_of(partner, "f", TODAY).permissions
    assert {Permission.BUY_AT_DISCOUNT, Permission.EDIT_CARD} <= permissions


def test_limited_employee_cannot_attach_buy_or_see_the_cabinet(make_partner: MakePartner) -> None:
    """R-EMP-03: no "Buy", no "Partner cabinet", no card edits, attaches nobody."""
    partner = make_partner()
    attach_employee(partner, Actor("olena"), "l", Role.LIMITED, NONE, T0)
    with pytest.raises(PermissionDenied):
        attach_employee(partner, Actor("l"), "s", Role.CERTIFIED_SPECIALIST, NONE, T0)
    permissions = access_of(partner, "l", TODAY).permissions
    assert permissions == {Permission.VIEW_PARTNER_SECTIONS, Permission.PARTNER_SUPPORT}


def test_certified_specialist_gets_no_rights(make_partner: MakePartner) -> None:
    """R-EMP-04: only its certificates count."""
    partner = make_partner()
    attach_employee(partner, Actor("olena"), "s", Role.CERTIFIED_SPECIALIST, NONE, T0)
    assert access_of(partner, "s", TODAY).permissions == frozenset()


def test_access_groups_add_marketplace_and_leads(make_partner: MakePartner) -> None:
    """R-EMP-05: Marketplace manages modules; Leads takes leads."""
    partner = make_partner()
    groups = frozenset({AccessGroup.MARKETPLACE, AccessGroup.LEADS})
    attach_employee(partner, Actor("olena"), "l", Role.LIMITED, groups, T0)
    permissions = access_of(partner, "l", TODAY).permissions
    assert {Permission.MANAGE_MARKETPLACE_MODULES, Permission.TAKE_LEADS} <= permissions
    assert access_of(None, "stranger", TODAY).partner_id == ""


def test_certificates_count_only_for_attached_logins_one_per_course(make_partner: MakePartner) -> None:
    """R-EMP-06: detaching a login removes its certificates from the count; one certificate per course."""
    partner = make_partner()
    attach_employee(partner, Actor("olena"), "s", Role.CERTIFIED_SPECIALIST, NONE, T0)
    certificates = [
        record_certificate(None, "c1", "s", "SM_ADMINISTRATOR", TODAY, TODAY),
        record_certificate(None, "c2", "s", "SM_DEVELOPER", TODAY, TODAY),
        record_certificate(None, "c3", "s", "SM_DEVELOPER", TODAY, TODAY),
        record_certificate(None, "c4", "outsider", "SM_DEVELOPER", TODAY, TODAY),
    ]
    held = courses_by_login(c for c in certificates if c is not None)
    assert held["s"] == {"SM_ADMINISTRATOR", "SM_DEVELOPER"}
    required = frozenset({"SM_ADMINISTRATOR", "SM_DEVELOPER"})
    assert certified_employee_count(partner.roster.logins(), held, required) == 1
    detach_employee(partner, Actor("olena"), "s", T0)
    assert isinstance(partner.events[-1], EmployeeDetached)
    assert certified_employee_count(partner.roster.logins(), held, required) == 0


def test_recording_a_certificate_is_idempotent_by_id_and_revocation_stops_it_counting() -> None:
    """R-EMP-06: the education portal may resend; a revoked certificate no longer counts."""
    first = record_certificate(None, "c1", "s", "SM_ADMINISTRATOR", TODAY, TODAY)
    assert first is not None
    assert record_certificate(first, "c1", "s", "SM_ADMINISTRATOR", TODAY, TODAY) is None
    with pytest.raises(AlreadyExists):
        record_certificate(first, "c1", "other", "SM_ADMINISTRATOR", TODAY, TODAY)
    revoked = revoke_certificate(first, "fraud", T0)
    assert courses_by_login([revoked]) == {}


def test_a_login_attached_to_another_partner_is_refused(make_partner: MakePartner) -> None:
    """R-EMP-06: one card per login, so a certificate counts for one partner."""
    partner = make_partner()
    with pytest.raises(FailedPrecondition) as raised:
        attach_employee(partner, Actor("olena"), "s", Role.LIMITED, NONE, T0, attached_elsewhere="p2")
    assert raised.value.reason == "LOGIN_ATTACHED_ELSEWHERE"


def test_a_certificate_dated_in_the_future_is_refused() -> None:
    """R-EMP-06: a specialist gets a certificate "після успішного тестування" (4.2); one dated
    after today (program time) is not earned yet, so it is refused instead of counting now.
    """
    with pytest.raises(InvalidArgument) as raised:
        record_certificate(None, "c9", "s", "SM_ADMINISTRATOR", date(2026, 3, 3), TODAY)
    assert (raised.value.reason, raised.value.rule) == ("CERTIFICATE_DATED_IN_FUTURE", "R-EMP-06")
    assert record_certificate(None, "c9", "s", "SM_ADMINISTRATOR", TODAY, TODAY) is not None
