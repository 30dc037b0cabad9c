"""Partner lifecycle: approval, contract application, authorization letter, termination (R-PRT-04..07)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain import contract as contract_rules
from status_service.domain.application import Application, mark_approved
from status_service.domain.card import CardContent, PartnerCard
from status_service.domain.cities import canonical_city
from status_service.domain.contract import ContractApplication, ContractRequisites
from status_service.domain.employees import Roster
from status_service.domain.enums import Role, StatusChangeReason, TerminationForm
from status_service.domain.events import (
    ContractAccepted,
    ContractRefused,
    EmployeeAttached,
    PartnerApproved,
    PartnerTerminated,
    StatusChanged,
    TerminationScheduled,
)
from status_service.domain.partner import Partner
from status_service.domain.status_record import StatusHistoryEntry, StatusRecord
from status_service.domain.termination import Termination, plan_termination


def approve_application(
    application: Application,
    partner_id: str,
    now: datetime,
    policy: ProgramPolicy,
    *,
    applicant_attached_elsewhere: str | None = None,
) -> tuple[Application, Partner]:
    """Approval concludes the contract by adhesion and makes a Business partner (R-PRT-04, R-STS-01).

    The applicant's login becomes the main user (R-EMP-01); the card starts from the
    questionnaire, not yet published on the site.
    """
    if applicant_attached_elsewhere is not None:
        raise FailedPrecondition(
            reason="LOGIN_ATTACHED_ELSEWHERE",
            message=f"application.applicant_login: {application.data.applicant_login} is attached to another "
            "partner (R-EMP-06)",
            rule="R-EMP-06",
        )
    approved = mark_approved(application, partner_id, now)
    data = application.data
    status = StatusRecord.grant(Tier.BUSINESS, now, policy.statuses.validity_months)
    partner = Partner(
        partner_id=partner_id,
        application_id=application.application_id,
        company_name=data.company_name,
        legal_form=data.legal_form,
        city=data.city,
        approved_date=kyiv_date(now),
        status=status,
        roster=Roster.with_main_user(partner_id, data.applicant_login, now),
        card=PartnerCard(published=CardContent(phone=data.contact_phone)),
    )
    partner.history.append(
        StatusHistoryEntry(
            partner_id, None, Tier.BUSINESS, now, StatusChangeReason.APPROVAL, policy.version, status.granted_date, None
        )
    )
    partner.record(
        PartnerApproved(
            partner_id=partner_id,
            occurred_time=now,
            application_id=application.application_id,
            company_name=data.company_name,
            legal_form=data.legal_form,
            city=data.city,
            city_key=canonical_city(data.city),
            main_login=data.applicant_login,
            tier=Tier.BUSINESS,
            policy_version=policy.version,
        )
    )
    partner.record(
        StatusChanged(
            partner_id=partner_id,
            occurred_time=now,
            from_tier=None,
            to_tier=Tier.BUSINESS,
            reason=StatusChangeReason.APPROVAL,
            granted_date=status.granted_date,
            valid_until_date=None,
            discount_percent=policy.discount_percent(Tier.BUSINESS),
            policy_version=policy.version,
        )
    )
    partner.record(
        EmployeeAttached(
            partner_id=partner_id,
            occurred_time=now,
            login=data.applicant_login,
            role=Role.MAIN,
            access_groups=frozenset(),
        )
    )
    return approved, partner


def file_contract_application(
    partner: Partner, contract_id: str, requisites: ContractRequisites, now: datetime
) -> ContractApplication:
    partner.require_active(kyiv_date(now))
    partner.contract = contract_rules.file_contract(partner.contract, contract_id, requisites, now)
    return partner.contract


def accept_contract_application(partner: Partner, contract_id: str, now: datetime) -> ContractApplication:
    """Staff accept the signed contract application; the authorization letter becomes available (R-PRT-05)."""
    partner.require_active(kyiv_date(now))
    partner.contract = contract_rules.accept_contract(partner.contract, contract_id, now)
    partner.record(
        ContractAccepted(
            partner_id=partner.partner_id, occurred_time=now, contract_id=contract_id, accepted_date=kyiv_date(now)
        )
    )
    return partner.contract


def refuse_contract_application(partner: Partner, contract_id: str, reason: str, now: datetime) -> ContractApplication:
    partner.contract = contract_rules.refuse_contract(partner.contract, contract_id, reason, now)
    partner.record(
        ContractRefused(partner_id=partner.partner_id, occurred_time=now, contract_id=contract_id, reason=reason)
    )
    return partner.contract


@dataclass(frozen=True)
class AuthorizationLetter:
    """The right to sell: valid from contract acceptance until the termination day (R-PRT-05/07)."""

    partner_id: str
    company_name: str
    contract_id: str
    valid_from_date: date
    valid_until_date: date | None


def authorization_letter(partner: Partner, today: date) -> AuthorizationLetter:
    accepted = partner.contract.accepted_date if partner.contract else None
    if partner.contract is None or accepted is None:
        raise FailedPrecondition(
            reason="CONTRACT_NOT_ACCEPTED",
            message=f"partner {partner.partner_id} has no accepted contract application; the authorization letter "
            "is issued only after acceptance (R-PRT-05)",
            rule="R-PRT-05",
        )
    # R-PRT-07: letters lose force on the termination day.
    partner.require_active(today)
    return AuthorizationLetter(
        partner.partner_id,
        partner.company_name,
        partner.contract.contract_id,
        accepted,
        partner.termination.effective_date if partner.termination else None,
    )


def terminate_partner(
    partner: Partner,
    form: TerminationForm,
    notice_date: date,
    effective_date: date,
    reason: str,
    now: datetime,
    policy: ProgramPolicy,
    *,
    violation_case_id: str = "",
    sanction_id: str = "",
) -> Termination:
    """Schedule the end of participation in one of its three forms (R-PRT-06).

    A later decision may only bring an unfinished termination forward (a violation found
    during a partner's notice period), never push it back.
    """
    today = kyiv_date(now)
    if notice_date > today:
        raise InvalidArgument.for_field(
            "notice_date", "cannot be in the future (R-PRT-06)", reason="INVALID_DATE", rule="R-PRT-06"
        )
    # R-PRT-06: a notice is given on the day it is recorded (program time); dated back, a
    # "month ahead" notice would take effect at once. Only a sanction's termination keeps
    # the sanction's own start, which compliance has already fixed.
    if notice_date < today and not sanction_id:
        raise InvalidArgument.for_field(
            "notice_date",
            f"must not be before today ({today.isoformat()}, program time): the end date counts from the "
            "day the notice is given (R-PRT-06)",
            reason="NOTICE_DATE_IN_PAST",
            rule="R-PRT-06",
        )
    existing = partner.termination
    if existing is not None and (existing.completed or effective_date >= existing.effective_date):
        raise FailedPrecondition(
            reason="TERMINATION_ALREADY_SCHEDULED",
            message=f"partner {partner.partner_id} already terminates on {existing.effective_date.isoformat()} "
            "(R-PRT-06)",
            rule="R-PRT-06",
        )
    termination = plan_termination(
        form,
        notice_date,
        effective_date,
        reason,
        now,
        notice_months=policy.deadlines.termination_notice_months,
        violation_case_id=violation_case_id,
        sanction_id=sanction_id,
    )
    partner.termination = termination
    partner.record(
        TerminationScheduled(
            partner_id=partner.partner_id,
            occurred_time=now,
            form=form,
            notice_date=notice_date,
            effective_date=effective_date,
            reason=reason,
        )
    )
    complete_termination(partner, now)
    return termination


def complete_termination(partner: Partner, now: datetime) -> bool:
    """On the effective day: the partner is out; discount, NFR and letters end (R-PRT-07).

    Called when scheduling and by the daily job; True when it recorded PartnerTerminated.
    """
    termination = partner.termination
    if termination is None or termination.completed or not termination.in_effect(kyiv_date(now)):
        return False
    partner.termination = replace(termination, completed=True)
    partner.record(
        PartnerTerminated(
            partner_id=partner.partner_id,
            occurred_time=now,
            form=termination.form,
            effective_date=termination.effective_date,
            reason=termination.reason,
        )
    )
    return True
