"""Proto <-> domain mapping of the status API and of its published events (the event codec)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from google.protobuf.message import Message

from partnerprogram.compliance.v1 import personal_data_pb2
from partnerprogram.status.v1 import (
    card_pb2,
    employee_pb2,
    entitlement_pb2,
    events_pb2,
    partner_pb2,
    simulation_pb2,
    status_pb2,
)
from partnerprogram.status.v1 import status_service_pb2 as service_pb2
from ppcore.errors import InvalidArgument
from ppcore.personal_data import LegalBasis
from ppcore.policy import ProgramPolicy, Tier
from ppcore.timestamps import optional_timestamp
from status_service.domain import events as ev
from status_service.domain.application import ApplicantData, Application
from status_service.domain.card import CardContent, CardRevision, PublicListEligibility
from status_service.domain.certificates import Certificate
from status_service.domain.competencies import HeldCompetency
from status_service.domain.contract import ContractApplication, ContractRequisites
from status_service.domain.employees import Employee
from status_service.domain.enums import (
    AccessGroup,
    Activity,
    CardItem,
    LeadDelivery,
    LegalForm,
    Permission,
    Role,
    StatusChangeReason,
    TerminationForm,
)
from status_service.domain.lifecycle import AuthorizationLetter
from status_service.domain.partner import Partner
from status_service.domain.policy_simulation import Outcome, SimulatedPartner, SimulationReport, simulation_csv
from status_service.domain.policy_versions import ScheduledPolicy
from status_service.domain.status_engine import StatusCertificate, StatusView
from status_service.domain.status_record import StatusHistoryEntry
from status_service.domain.status_rules import ChecklistItem
from status_service.domain.termination import Termination

ts = optional_timestamp


def iso(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def parse_date(value: str, field_path: str, *, rule: str | None = None) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument.for_field(
            field_path, f"{value!r} is not an ISO date (YYYY-MM-DD)", reason="INVALID_DATE", rule=rule
        ) from None


def _enum_name(prefix: str, value: str) -> str:
    return f"{prefix}_{value}"


def _proto_enum(enum_type: Any, prefix: str, value: str | None) -> int:
    return 0 if value is None else int(enum_type.Value(_enum_name(prefix, value)))


def _domain_enum(enum_type: Any, prefix: str, number: int, domain: type[Any], field_path: str, rule: str) -> Any:
    name = str(enum_type.Name(number)) if number in enum_type.values() else ""
    value = name.removeprefix(prefix + "_")
    if number == 0 or not name:
        raise InvalidArgument.for_field(field_path, "is required", reason="INVALID_ENUM", rule=rule)
    return domain(value)


def tier_pb(tier: Tier | None) -> int:
    return _proto_enum(status_pb2.PartnerTier, "PARTNER_TIER", tier.value if tier else None)


def tier_of(number: int) -> Tier | None:
    return None if number == 0 else Tier(status_pb2.PartnerTier.Name(number).removeprefix("PARTNER_TIER_"))  # type: ignore[arg-type]


def role_pb(role: Role | None) -> int:
    return _proto_enum(employee_pb2.Role, "ROLE", role.value if role else None)


def role_of(number: int, field_path: str = "role") -> Role:
    """A role named in a request; unspecified or unknown is invalid input (R-EMP-01..04)."""
    role: Role = _domain_enum(employee_pb2.Role, "ROLE", number, Role, field_path, "R-EMP-01")
    return role


def groups_pb(groups: Iterable[AccessGroup]) -> list[int]:
    return [_proto_enum(employee_pb2.AccessGroup, "ACCESS_GROUP", g.value) for g in sorted(groups)]


def groups_of(numbers: Iterable[int]) -> frozenset[AccessGroup]:
    return frozenset(
        _domain_enum(employee_pb2.AccessGroup, "ACCESS_GROUP", n, AccessGroup, "access_groups", "R-EMP-05")
        for n in numbers
    )


def permissions_pb(permissions: Iterable[Permission]) -> list[int]:
    return [_proto_enum(employee_pb2.Permission, "PERMISSION", p.value) for p in sorted(permissions)]


def legal_form_pb(form: LegalForm) -> int:
    return _proto_enum(partner_pb2.LegalForm, "LEGAL_FORM", form.value)


def termination_form_of(number: int) -> TerminationForm:
    form: TerminationForm = _domain_enum(
        partner_pb2.TerminationForm, "TERMINATION_FORM", number, TerminationForm, "form", "R-PRT-06"
    )
    return form


def termination_form_pb(form: TerminationForm) -> int:
    return _proto_enum(partner_pb2.TerminationForm, "TERMINATION_FORM", form.value)


def reason_pb(reason: StatusChangeReason) -> int:
    return _proto_enum(status_pb2.StatusChangeReason, "STATUS_CHANGE_REASON", reason.value)


def applicant_of(data: partner_pb2.ApplicantData) -> ApplicantData:
    legal_form = _domain_enum(
        partner_pb2.LegalForm, "LEGAL_FORM", data.legal_form, LegalForm, "application.legal_form", "R-PRT-01"
    )
    activities = frozenset(
        _domain_enum(partner_pb2.Activity, "ACTIVITY", a, Activity, "application.activities", "R-PRT-01")
        for a in data.activities
    )
    return ApplicantData(
        legal_form=legal_form,
        company_name=data.company_name,
        city=data.city,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        activities=activities,
        applicant_login=data.applicant_login,
        personal_data_consent=data.personal_data_consent,
        tax_id=data.tax_id,
    )


def applicant_pb(data: ApplicantData) -> partner_pb2.ApplicantData:
    return partner_pb2.ApplicantData(
        legal_form=legal_form_pb(data.legal_form),  # type: ignore[arg-type]
        company_name=data.company_name,
        tax_id=data.tax_id,
        city=data.city,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        activities=[_proto_enum(partner_pb2.Activity, "ACTIVITY", a.value) for a in sorted(data.activities)],  # type: ignore[misc]
        applicant_login=data.applicant_login,
        personal_data_consent=data.personal_data_consent,
    )


def application_pb(application: Application, *, due: date, overdue: bool) -> partner_pb2.Application:
    return partner_pb2.Application(
        application_id=application.application_id,
        data=applicant_pb(application.data),
        state=_proto_enum(partner_pb2.ApplicationState, "APPLICATION_STATE", application.state.value),  # type: ignore[arg-type]
        submit_time=ts(application.submitted_time),
        review_start_time=ts(application.review_started_time),
        review_due_date=iso(due),
        overdue=overdue,
        decide_time=ts(application.decided_time),
        staff_note=application.staff_note,
        partner_id=application.partner_id,
    )


def requisites_of(r: partner_pb2.ContractRequisites) -> ContractRequisites:
    return ContractRequisites(r.legal_name, r.legal_address, r.registration_code, r.iban, r.signatory)


def contract_pb(contract: ContractApplication | None) -> partner_pb2.ContractApplication | None:
    if contract is None:
        return None
    r = contract.requisites
    return partner_pb2.ContractApplication(
        contract_id=contract.contract_id,
        requisites=partner_pb2.ContractRequisites(
            legal_name=r.legal_name,
            legal_address=r.legal_address,
            registration_code=r.registration_code,
            iban=r.iban,
            signatory=r.signatory,
        ),
        state=_proto_enum(partner_pb2.ContractState, "CONTRACT_STATE", contract.state.value),  # type: ignore[arg-type]
        file_time=ts(contract.filed_time),
        decide_time=ts(contract.decided_time),
        refusal_reason=contract.refusal_reason,
    )


def termination_pb(termination: Termination | None, today: date) -> partner_pb2.Termination | None:
    if termination is None:
        return None
    return partner_pb2.Termination(
        form=termination_form_pb(termination.form),  # type: ignore[arg-type]
        notice_date=iso(termination.notice_date),
        effective_date=iso(termination.effective_date),
        reason=termination.reason,
        violation_case_id=termination.violation_case_id,
        sanction_id=termination.sanction_id,
        in_effect=termination.in_effect(today),
    )


def partner_pb(partner: Partner, today: date, active_codes: Iterable[str]) -> partner_pb2.Partner:
    r = partner.restrictions(today)
    return partner_pb2.Partner(
        partner_id=partner.partner_id,
        application_id=partner.application_id,
        company_name=partner.company_name,
        legal_form=legal_form_pb(partner.legal_form),  # type: ignore[arg-type]
        city=partner.city,
        approve_date=iso(partner.approved_date),
        main_login=partner.roster.main_login,
        tier=tier_pb(partner.status.tier),  # type: ignore[arg-type]
        tier_granted_date=iso(partner.status.granted_date),
        tier_valid_until_date=iso(partner.status.valid_until_date),
        contract=contract_pb(partner.contract),
        termination=termination_pb(partner.termination, today),
        competency_codes=sorted(active_codes),
        restrictions=partner_pb2.Restrictions(
            discount_blocked=r.discount_blocked,
            discount_blocked_until_date=iso(r.discount_blocked_until),
            cabinet_blocked=r.cabinet_blocked,
            leads_disconnected=r.leads_disconnected,
            excluded_from_public_list=r.excluded_from_public_list,
            contract_suspended=r.contract_suspended,
            tier_cap=tier_pb(r.tier_cap),  # type: ignore[arg-type]
        ),
        active_points=partner.active_points,
    )


def letter_pb(letter: AuthorizationLetter) -> partner_pb2.AuthorizationLetter:
    return partner_pb2.AuthorizationLetter(
        partner_id=letter.partner_id,
        company_name=letter.company_name,
        contract_id=letter.contract_id,
        valid_from_date=iso(letter.valid_from_date),
        valid_until_date=iso(letter.valid_until_date),
    )


def card_content_of(c: card_pb2.CardContent) -> CardContent:
    return CardContent(
        description=c.description,
        logo_ref=c.logo_ref,
        phone=c.phone,
        office_address=c.office_address,
        website_url=c.website_url,
        publish_on_site=c.publish_on_site,
        portal_domain=c.portal_domain,
        office_city=c.office_city,
    )


def card_content_pb(c: CardContent | None) -> card_pb2.CardContent | None:
    if c is None:
        return None
    return card_pb2.CardContent(
        description=c.description,
        logo_ref=c.logo_ref,
        phone=c.phone,
        office_address=c.office_address,
        website_url=c.website_url,
        publish_on_site=c.publish_on_site,
        portal_domain=c.portal_domain,
        office_city=c.office_city,
    )


def revision_pb(r: CardRevision | None) -> card_pb2.CardRevision | None:
    if r is None:
        return None
    return card_pb2.CardRevision(
        revision_id=r.revision_id,
        content=card_content_pb(r.content),
        proposed_by=r.proposed_by,
        propose_time=ts(r.proposed_time),
        state=_proto_enum(card_pb2.CardRevisionState, "CARD_REVISION_STATE", r.state.value),  # type: ignore[arg-type]
        moderator_note=r.moderator_note,
        decide_time=ts(r.decided_time),
    )


def card_items_pb(items: Iterable[CardItem]) -> list[int]:
    return [_proto_enum(card_pb2.CardItem, "CARD_ITEM", i.value) for i in items]


def eligibility_pb(e: PublicListEligibility) -> card_pb2.PublicListEligibility:
    return card_pb2.PublicListEligibility(eligible=e.eligible, missing_items=card_items_pb(e.missing))  # type: ignore[arg-type]


def employee_pb(e: Employee, courses: Iterable[str] = ()) -> employee_pb2.Employee:
    return employee_pb2.Employee(
        login=e.login,
        role=role_pb(e.role),  # type: ignore[arg-type]
        access_groups=groups_pb(e.access_groups),  # type: ignore[arg-type]
        attach_time=ts(e.attached_time),
        course_codes=sorted(courses),
        legal_basis=legal_basis_pb(e.legal_basis),  # type: ignore[arg-type]
    )


def legal_basis_pb(basis: LegalBasis) -> int:
    """R-PD-01: the legal basis in the suite's one vocabulary (compliance's LegalBasis enum)."""
    return personal_data_pb2.LegalBasis.Value(f"LEGAL_BASIS_{basis.value}")


def certificate_pb(c: Certificate) -> employee_pb2.Certificate:
    return employee_pb2.Certificate(
        certificate_id=c.certificate_id,
        login=c.login,
        course_code=c.course_code,
        issued_date=iso(c.issued_date),
        revoke_time=ts(c.revoked_time),
        revoke_reason=c.revoke_reason,
    )


def competency_pb(held: HeldCompetency, policy: ProgramPolicy, active: bool) -> status_pb2.Competency:
    entry = policy.competency(held.code)
    return status_pb2.Competency(
        code=held.code,
        name=entry.name if entry else held.code,
        grant_time=ts(held.granted_time),
        automatic=held.automatic,
        active=active,
    )


def history_pb(e: StatusHistoryEntry) -> status_pb2.StatusHistoryEntry:
    return status_pb2.StatusHistoryEntry(
        from_tier=tier_pb(e.from_tier),  # type: ignore[arg-type]
        to_tier=tier_pb(e.to_tier),  # type: ignore[arg-type]
        change_time=ts(e.changed_time),
        reason=reason_pb(e.reason),  # type: ignore[arg-type]
        policy_version=e.policy_version,
        granted_date=iso(e.granted_date),
        valid_until_date=iso(e.valid_until_date),
        sanction_id=e.sanction_id,
    )


def _checklist_item(i: ChecklistItem) -> status_pb2.ChecklistItem:
    return status_pb2.ChecklistItem(
        tier=tier_pb(i.tier),  # type: ignore[arg-type]
        condition=_proto_enum(status_pb2.Condition, "CONDITION", i.condition.value),  # type: ignore[arg-type]
        required=i.required,
        actual=i.actual,
        met=i.met,
        rule=i.rule,
        detail=i.detail,
    )


def status_view_pb(v: StatusView) -> status_pb2.PartnerStatus:
    return status_pb2.PartnerStatus(
        partner_id=v.partner_id,
        tier=tier_pb(v.tier),  # type: ignore[arg-type]
        granted_date=iso(v.granted_date),
        valid_until_date=iso(v.valid_until_date),
        discount_percent=v.discount_percent,
        active_points=v.active_points,
        certified_specialists=v.certified_specialists,
        checklist=status_pb2.StatusChecklist(
            next_tier=tier_pb(v.checklist.next_tier),  # type: ignore[arg-type]
            to_reach_next=[_checklist_item(i) for i in v.checklist.to_reach_next],
            to_keep_current=[_checklist_item(i) for i in v.checklist.to_keep_current],
        ),
        policy_version=v.policy_version,
    )


def status_certificate_pb(c: StatusCertificate) -> status_pb2.StatusCertificate:
    return status_pb2.StatusCertificate(
        partner_id=c.partner_id,
        company_name=c.company_name,
        tier=tier_pb(c.tier),  # type: ignore[arg-type]
        granted_date=iso(c.granted_date),
        valid_until_date=iso(c.valid_until_date),
        issued_date=iso(c.issued_date),
    )


def lead_delivery_pb(d: LeadDelivery) -> int:
    return _proto_enum(entitlement_pb2.LeadDelivery, "LEAD_DELIVERY", d.value)


def event_pb(event: ev.DomainEvent) -> Message:
    """The published message of a domain event (partnerprogram.status.v1 events.proto)."""
    pid = event.partner_id
    match event:
        case ev.PartnerApproved():
            return events_pb2.PartnerApproved(
                partner_id=pid,
                application_id=event.application_id,
                company_name=event.company_name,
                legal_form=legal_form_pb(event.legal_form),  # type: ignore[arg-type]
                city=event.city,
                city_key=event.city_key,
                main_login=event.main_login,
                tier=tier_pb(event.tier),  # type: ignore[arg-type]
                policy_version=event.policy_version,
            )
        case ev.ContractAccepted():
            return events_pb2.ContractAccepted(
                partner_id=pid, contract_id=event.contract_id, accepted_date=iso(event.accepted_date)
            )
        case ev.ContractRefused():
            return events_pb2.ContractRefused(partner_id=pid, contract_id=event.contract_id, reason=event.reason)
        case ev.TerminationScheduled():
            return events_pb2.TerminationScheduled(
                partner_id=pid,
                form=termination_form_pb(event.form),  # type: ignore[arg-type]
                notice_date=iso(event.notice_date),
                effective_date=iso(event.effective_date),
                reason=event.reason,
            )
        case ev.PartnerTerminated():
            return events_pb2.PartnerTerminated(
                partner_id=pid,
                form=termination_form_pb(event.form),  # type: ignore[arg-type]
                effective_date=iso(event.effective_date),
                reason=event.reason,
            )
        case ev.StatusChanged():
            return events_pb2.StatusChanged(
                partner_id=pid,
                from_tier=tier_pb(event.from_tier),  # type: ignore[arg-type]
                to_tier=tier_pb(event.to_tier),  # type: ignore[arg-type]
                reason=reason_pb(event.reason),  # type: ignore[arg-type]
                granted_date=iso(event.granted_date),
                valid_until_date=iso(event.valid_until_date),
                discount_percent=event.discount_percent,
                policy_version=event.policy_version,
                sanction_id=event.sanction_id,
            )
        case ev.StatusConfirmed():
            return events_pb2.StatusConfirmed(
                partner_id=pid,
                tier=tier_pb(event.tier),  # type: ignore[arg-type]
                granted_date=iso(event.granted_date),
                valid_until_date=iso(event.valid_until_date),
                policy_version=event.policy_version,
            )
        case ev.CardPublished():
            return events_pb2.CardPublished(
                partner_id=pid,
                revision_id=event.revision_id,
                content=card_content_pb(event.content),
                eligibility=eligibility_pb(PublicListEligibility(event.public_list_eligible, event.missing_items)),
                city_key=event.city_key,
            )
        case ev.EmployeeAttached():
            return events_pb2.EmployeeAttached(
                partner_id=pid,
                login=event.login,
                role=role_pb(event.role),  # type: ignore[arg-type]
                access_groups=groups_pb(event.access_groups),  # type: ignore[arg-type]
            )
        case ev.EmployeeAccessChanged():
            return events_pb2.EmployeeAccessChanged(
                partner_id=pid,
                login=event.login,
                role=role_pb(event.role),  # type: ignore[arg-type]
                access_groups=groups_pb(event.access_groups),  # type: ignore[arg-type]
            )
        case ev.EmployeeDetached():
            return events_pb2.EmployeeDetached(partner_id=pid, login=event.login, role=role_pb(event.role))  # type: ignore[arg-type]
        case ev.MainUserChanged():
            return events_pb2.MainUserChanged(
                partner_id=pid, previous_login=event.previous_login, new_login=event.new_login
            )
        case ev.CertificateRecorded():
            return events_pb2.CertificateRecorded(
                partner_id=pid,
                certificate_id=event.certificate_id,
                login=event.login,
                course_code=event.course_code,
                issued_date=iso(event.issued_date),
            )
        case ev.CertificateRevoked():
            return events_pb2.CertificateRevoked(
                partner_id=pid,
                certificate_id=event.certificate_id,
                login=event.login,
                course_code=event.course_code,
                reason=event.reason,
            )
        case ev.CompetencyGranted():
            return events_pb2.CompetencyGranted(
                partner_id=pid, code=event.code, automatic=event.automatic, resumed=event.resumed
            )
        case ev.CompetencyRevoked():
            return events_pb2.CompetencyRevoked(
                partner_id=pid,
                code=event.code,
                reason=event.reason,
                sanction_id=event.sanction_id,
                suspended=event.suspended,
            )
    raise TypeError(f"no message for {type(event).__name__}")


def _outcome_pb(o: Outcome) -> simulation_pb2.SimulatedOutcome:
    return simulation_pb2.SimulatedOutcome(
        tier=tier_pb(o.tier),  # type: ignore[arg-type]
        discount_percent=o.discount_percent,
        status_nfr_keys=o.status_nfr_keys,
        lead_reach=lead_delivery_pb(o.lead_reach),  # type: ignore[arg-type]
    )


def _simulated_partner_pb(p: SimulatedPartner) -> simulation_pb2.SimulatedPartner:
    return simulation_pb2.SimulatedPartner(
        partner_id=p.partner_id,
        company_name=p.company_name,
        tier_now=tier_pb(p.tier_now),  # type: ignore[arg-type]
        in_force=_outcome_pb(p.current),
        candidate=_outcome_pb(p.candidate),
        deciding=[_checklist_item(i) for i in p.deciding],
    )


def simulation_pb(r: SimulationReport) -> service_pb2.SimulatePolicyChangeResponse:
    def counts(by_tier: Mapping[Tier, int]) -> list[simulation_pb2.TierCount]:
        return [simulation_pb2.TierCount(tier=tier_pb(t), partners=n) for t, n in by_tier.items()]  # type: ignore[arg-type]

    return service_pb2.SimulatePolicyChangeResponse(
        as_of_date=iso(r.on),
        in_force_policy_version=r.current_version,
        candidate_policy_version=r.candidate_version,
        evaluated_partners=r.evaluated_partners,
        partners=[_simulated_partner_pb(p) for p in r.partners],
        in_force_tiers=counts(r.before),
        candidate_tiers=counts(r.after),
        keys_to_issue=r.keys_to_issue,
        keys_to_revoke=r.keys_to_revoke,
        discount_changes=[
            simulation_pb2.DiscountChange(
                tier=tier_pb(c.tier),  # type: ignore[arg-type]
                from_percent=c.from_percent,
                to_percent=c.to_percent,
                partners=c.partners,
            )
            for c in r.discount_changes
        ],
        csv=simulation_csv(r),
    )


def policy_version_pb(s: ScheduledPolicy, in_force: bool) -> simulation_pb2.PolicyVersion:
    return simulation_pb2.PolicyVersion(
        version=s.version,
        effective_date=iso(s.effective_date),
        registered_by=s.registered_by,
        in_force=in_force,
        document=s.document,
    )
