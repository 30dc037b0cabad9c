"""Approval, contract application, authorization letter and termination (R-PRT-04..08)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.application import ApplicantData, submit_application
from status_service.domain.contract import ContractRequisites
from status_service.domain.entitlement import check_discount_entitlement, entitlement_snapshot
from status_service.domain.enums import EntitlementReason, Role, StatusChangeReason, TerminationForm
from status_service.domain.events import (
    ContractAccepted,
    EmployeeAttached,
    PartnerApproved,
    PartnerTerminated,
    StatusChanged,
    TerminationScheduled,
)
from status_service.domain.lifecycle import (
    accept_contract_application,
    approve_application,
    authorization_letter,
    complete_termination,
    file_contract_application,
    refuse_contract_application,
    terminate_partner,
)
from status_service.domain.partner import Partner
from status_service.domain.staffing import access_of
from status_service.domain.trademark import trademark_use_allowed

MakePartner = Callable[..., Partner]

REQUISITES = ContractRequisites(
    legal_name='ТОВ "Вебстудія"',  # noqa: RUF001
    legal_address="м. Львів, вул. Городоцька, 1",
    registration_code="12345678",
    iban="UA" + "1" * 27,
    signatory="Олена Коваль",
)

Applicant = Callable[..., ApplicantData]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def test_approval_makes_a_business_partner_with_the_applicant_as_main_user(
    policy: ProgramPolicy, applicant: Applicant
) -> None:
    """R-PRT-04, R-STS-01: approval assigns Business automatically and notifies through events."""
    application = submit_application("a1", applicant(), T0)
    approved, partner = approve_application(application, "p1", T0, policy)
    assert approved.partner_id == "p1"
    assert partner.status.tier is Tier.BUSINESS
    assert partner.status.valid_until_date is None
    assert partner.roster.main_login == "olena"
    kinds = [type(e) for e in partner.events]
    assert kinds == [PartnerApproved, StatusChanged, EmployeeAttached]
    changed = partner.events[1]
    assert isinstance(changed, StatusChanged)
    assert changed.from_tier is None and changed.to_tier is Tier.BUSINESS
    assert changed.reason is StatusChangeReason.APPROVAL and changed.policy_version == policy.version


def test_authorization_letter_exists_only_after_contract_acceptance(make_partner: MakePartner) -> None:
    """R-PRT-05: file requisites, staff accept; only then the letter."""
    partner = make_partner()
    file_contract_application(partner, "c1", REQUISITES, T0)
    with pytest.raises(FailedPrecondition) as raised:
        authorization_letter(partner, date(2026, 3, 2))
    assert raised.value.reason == "CONTRACT_NOT_ACCEPTED"
    accept_contract_application(partner, "c1", T0)
    letter = authorization_letter(partner, date(2026, 3, 2))
    assert letter.contract_id == "c1" and letter.valid_from_date == date(2026, 3, 2)
    assert isinstance(partner.events[-1], ContractAccepted)


def test_contract_requisites_must_be_in_ukrainian_and_refusal_allows_refiling(make_partner: MakePartner) -> None:
    """R-PRT-05: requisites in Ukrainian; an improper application is refused with a reason and refiled."""
    partner = make_partner()
    with pytest.raises(InvalidArgument) as raised:
        file_contract_application(
            partner, "c0", ContractRequisites("Webstudio LLC", "Lviv", "12345678", "UA1", "O"), T0
        )
    assert raised.value.rule == "R-PRT-05"
    file_contract_application(partner, "c1", REQUISITES, T0)
    refuse_contract_application(partner, "c1", "not signed", T0)
    refiled = file_contract_application(partner, "c2", REQUISITES, T0)
    assert refiled.contract_id == "c2"


def test_partner_notice_needs_an_end_date_at_least_one_month_later(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-PRT-06: the partner's notice: end date >= notice + 1 month (policy)."""
    partner = make_partner()
    notice = date(2026, 3, 31)
    now = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    with pytest.raises(InvalidArgument) as raised:
        terminate_partner(partner, TerminationForm.PARTNER_NOTICE, notice, date(2026, 4, 29), "", now, policy)
    assert raised.value.reason == "TERMINATION_NOTICE_TOO_SHORT"
    termination = terminate_partner(partner, TerminationForm.PARTNER_NOTICE, notice, date(2026, 4, 30), "", now, policy)
    assert termination.effective_date == date(2026, 4, 30)
    assert isinstance(partner.events[-1], TerminationScheduled)
    assert not partner.is_terminated(date(2026, 4, 29))


def test_a_partner_notice_dated_before_today_is_refused_and_the_end_counts_from_today(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-PRT-06: "Партнеру необхідно завчасно (не пізніше, ніж за місяць) повідомити ТОВ
    «Бітрікс24» про своє рішення" (1.5). A notice dated years back would take effect at
    once; it is given the day it is recorded (program time) and the month counts from then.
    """  # noqa: RUF002
    partner = make_partner()
    with pytest.raises(InvalidArgument) as raised:
        terminate_partner(partner, TerminationForm.PARTNER_NOTICE, date(2023, 1, 10), date(2023, 2, 10), "", T0, policy)
    assert (raised.value.reason, raised.value.rule) == ("NOTICE_DATE_IN_PAST", "R-PRT-06")
    assert partner.termination is None and not partner.is_terminated(date(2026, 3, 2))
    with pytest.raises(InvalidArgument) as too_soon:
        terminate_partner(partner, TerminationForm.PARTNER_NOTICE, date(2026, 3, 2), date(2026, 4, 1), "", T0, policy)
    assert too_soon.value.reason == "TERMINATION_NOTICE_TOO_SHORT"
    termination = terminate_partner(
        partner, TerminationForm.PARTNER_NOTICE, date(2026, 3, 2), date(2026, 4, 2), "", T0, policy
    )
    assert (termination.notice_date, termination.effective_date) == (date(2026, 3, 2), date(2026, 4, 2))


def test_program_decision_and_mutual_agreement_may_take_effect_at_once(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-PRT-06: the program's decision (naming the violation) and mutual agreement have no notice period."""
    violator = make_partner("p1")
    terminate_partner(
        violator,
        TerminationForm.PROGRAM_DECISION,
        date(2026, 3, 2),
        date(2026, 3, 2),
        "dumping",
        T0,
        policy,
        violation_case_id="v1",
    )
    assert isinstance(violator.events[-1], PartnerTerminated)
    agreed = make_partner("p2")
    terminate_partner(agreed, TerminationForm.MUTUAL_AGREEMENT, date(2026, 3, 2), date(2026, 3, 10), "", T0, policy)
    assert not agreed.is_terminated(date(2026, 3, 9))
    assert not complete_termination(agreed, T0)
    assert complete_termination(agreed, T0 + timedelta(days=8))


def test_termination_ends_discount_letter_and_access_on_the_day(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-PRT-07: on the termination day the discount and the authorization letter lose force."""
    partner = make_partner()
    file_contract_application(partner, "c1", REQUISITES, T0)
    accept_contract_application(partner, "c1", T0)
    terminate_partner(partner, TerminationForm.MUTUAL_AGREEMENT, date(2026, 3, 2), date(2026, 3, 5), "", T0, policy)
    before = entitlement_snapshot(partner, "olena", date(2026, 3, 4))
    assert check_discount_entitlement(before, "SITE_MANAGEMENT", policy).allowed
    assert authorization_letter(partner, date(2026, 3, 4)).valid_until_date == date(2026, 3, 5)
    on_day = entitlement_snapshot(partner, "olena", date(2026, 3, 5))
    assert check_discount_entitlement(on_day, "SITE_MANAGEMENT", policy).reason is EntitlementReason.TERMINATED
    with pytest.raises(FailedPrecondition):
        authorization_letter(partner, date(2026, 3, 5))
    access = access_of(partner, "olena", date(2026, 3, 5))
    assert access.role is Role.MAIN and not access.permissions


def test_trademark_outside_own_advertising_needs_written_consent() -> None:
    """R-PRT-08: own advertising may use the mark; other uses need written consent."""
    assert trademark_use_allowed(own_advertising=True, has_written_consent=False)
    assert not trademark_use_allowed(own_advertising=False, has_written_consent=False)
    assert trademark_use_allowed(own_advertising=False, has_written_consent=True)
