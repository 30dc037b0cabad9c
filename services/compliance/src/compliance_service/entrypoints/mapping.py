"""Proto messages to domain values and back, for the gRPC servicer.

Parsing refuses malformed input as INVALID_ARGUMENT naming the field; building never fails.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance_service.adapters.proto_codec import (
    CASE_STATE,
    LEGAL_BASIS,
    LIFT_REASON,
    MYSTERY_SHOPPER_KIND,
    PD_KIND,
    PD_STATE,
    SALE_KIND,
    SANCTION_KIND,
    SANCTION_STATE,
    VIOLATION_TYPE,
    enum_from_proto,
    enum_to_proto,
    iso,
    parameters_to_proto,
    timestamp,
)
from compliance_service.domain.agreed_discounts import AgreedDiscount
from compliance_service.domain.cases import ViolationCase
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.personal_data import DataSubject, PersonalDataRequest
from compliance_service.domain.pricing import ControlPurchase, SaleKind, SoldItem
from compliance_service.domain.sanctions import Sanction
from compliance_service.domain.timeline import TimelineChange, TimelineEntry
from compliance_service.domain.violators import ViolatorEntry
from partnerprogram.compliance.v1 import case_pb2, personal_data_pb2, pricing_pb2, sanction_pb2
from ppcore.auth import Caller
from ppcore.decimals import parse_decimal
from ppcore.errors import InvalidArgument
from ppcore.personal_data import mask_email, mask_phone, mask_text, may_see_personal_data


def parse_date(field_path: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument.for_field(
            field_path, f"expected an ISO date, got {text!r}", reason="DATE_INVALID"
        ) from None


def parse_optional_date(field_path: str, text: str) -> date | None:
    return parse_date(field_path, text) if text else None


def parse_amount(field_path: str, text: str) -> Decimal:
    return parse_decimal(field_path, text, reason="AMOUNT_INVALID")


def parse_optional_amount(field_path: str, text: str) -> Decimal | None:
    return parse_amount(field_path, text) if text else None


def evidence_from_proto(message: case_pb2.Evidence) -> Evidence:
    return Evidence(
        description=message.description,
        references=tuple(message.references),
        file_hashes=tuple(message.file_hashes),
        observed_price_uah=parse_optional_amount("evidence.observed_price_uah", message.observed_price_uah),
        list_price_uah=parse_optional_amount("evidence.list_price_uah", message.list_price_uah),
        answer_wait_seconds=message.answer_wait_seconds if message.HasField("answer_wait_seconds") else None,
        order_id=message.order_id,
        edition_code=message.edition_code,
        rebate_uah=parse_optional_amount("evidence.rebate_uah", message.rebate_uah),
        free_extras=message.free_extras.strip(),
    )


def evidence_to_proto(evidence: Evidence) -> case_pb2.Evidence:
    message = case_pb2.Evidence(
        description=evidence.description,
        references=list(evidence.references),
        file_hashes=list(evidence.file_hashes),
        observed_price_uah=str(evidence.observed_price_uah) if evidence.observed_price_uah is not None else "",
        list_price_uah=str(evidence.list_price_uah) if evidence.list_price_uah is not None else "",
        order_id=evidence.order_id,
        edition_code=evidence.edition_code,
        rebate_uah=str(evidence.rebate_uah) if evidence.rebate_uah is not None else "",
        free_extras=evidence.free_extras,
    )
    if evidence.answer_wait_seconds is not None:
        message.answer_wait_seconds = evidence.answer_wait_seconds
    return message


def case_to_proto(case: ViolationCase) -> case_pb2.ViolationCase:
    message = case_pb2.ViolationCase(
        case_id=case.case_id,
        partner_id=case.partner_id,
        violation_type=enum_to_proto(VIOLATION_TYPE, case.violation_type),
        mystery_shopper_kind=enum_to_proto(MYSTERY_SHOPPER_KIND, case.mystery_shopper_kind),
        violation_date=iso(case.violation_date),
        evidence=evidence_to_proto(case.evidence),
        state=enum_to_proto(CASE_STATE, case.state),
        opened_by=case.opened_by,
        opened_time=timestamp(case.opened_time),
        policy_version=case.policy_version,
    )
    if case.decision is not None:
        d = case.decision
        message.decision.CopyFrom(
            case_pb2.CaseDecision(
                confirmed=d.confirmed,
                reason=d.reason,
                decided_by=d.decided_by,
                decided_time=timestamp(d.decided_time),
                policy_version=d.policy_version,
            )
        )
    if case.appeal is not None:
        a = case.appeal
        appeal = case_pb2.Appeal(
            statement=a.statement,
            filed_by=a.filed_by,
            filed_time=timestamp(a.filed_time),
            deadline_date=iso(a.deadline_date),
        )
        if a.decision is not None:
            appeal.decision.CopyFrom(
                case_pb2.AppealDecision(
                    upheld=a.decision.upheld,
                    reason=a.decision.reason,
                    decided_by=a.decision.decided_by,
                    decided_time=timestamp(a.decision.decided_time),
                )
            )
        message.appeal.CopyFrom(appeal)
    return message


def sanction_to_proto(sanction: Sanction) -> sanction_pb2.Sanction:
    message = sanction_pb2.Sanction(
        sanction_id=sanction.sanction_id,
        partner_id=sanction.partner_id,
        case_id=sanction.case_id,
        kind=enum_to_proto(SANCTION_KIND, sanction.kind),
        start_date=iso(sanction.start_date),
        end_date=iso(sanction.end_date),
        parameters=parameters_to_proto(sanction.parameters),
        state=enum_to_proto(SANCTION_STATE, sanction.state),
        applied_by=sanction.applied_by,
        applied_time=timestamp(sanction.applied_time),
        policy_version=sanction.policy_version,
    )
    if sanction.lift is not None:
        lift = sanction.lift
        message.lift.CopyFrom(
            sanction_pb2.SanctionLift(
                reason=enum_to_proto(LIFT_REASON, lift.reason),
                note=lift.note,
                lifted_by=lift.lifted_by,
                lifted_time=timestamp(lift.lifted_time),
            )
        )
    return message


_CHANGES = {
    TimelineChange.APPLIED: sanction_pb2.SANCTION_TIMELINE_CHANGE_APPLIED,
    TimelineChange.LIFTED: sanction_pb2.SANCTION_TIMELINE_CHANGE_LIFTED,
}


def timeline_entry_to_proto(entry: TimelineEntry) -> sanction_pb2.SanctionTimelineEntry:
    return sanction_pb2.SanctionTimelineEntry(
        change_time=timestamp(entry.time), change=_CHANGES[entry.change], sanction=sanction_to_proto(entry.sanction)
    )


def violator_to_proto(entry: ViolatorEntry) -> sanction_pb2.Violator:
    return sanction_pb2.Violator(
        partner_id=entry.partner_id,
        sanction_id=entry.sanction_id,
        case_id=entry.case_id,
        violation_type=enum_to_proto(VIOLATION_TYPE, entry.violation_type),
        listed_since_date=iso(entry.listed_since),
        listed_until_date=iso(entry.listed_until),
    )


def control_purchase_to_proto(purchase: ControlPurchase) -> pricing_pb2.ControlPurchase:
    return pricing_pb2.ControlPurchase(
        control_purchase_id=purchase.purchase_id,
        partner_id=purchase.partner_id,
        edition_code=purchase.edition_code,
        paid_price_uah=str(purchase.paid_price_uah),
        list_price_uah=str(purchase.list_price_uah),
        below_list=purchase.below_list,
        purchased_date=iso(purchase.purchased_date),
        evidence=evidence_to_proto(purchase.evidence),
        case_id=purchase.case_id,
        recorded_by=purchase.recorded_by,
        recorded_time=timestamp(purchase.recorded_time),
        policy_version=purchase.policy_version,
    )


def subject_from_proto(message: personal_data_pb2.DataSubject) -> DataSubject:
    return DataSubject(login=message.login, email=message.email, phone=message.phone)


def pd_request_to_proto(request: PersonalDataRequest, today: date) -> personal_data_pb2.PersonalDataRequest:
    return personal_data_pb2.PersonalDataRequest(
        personal_data_request_id=request.pd_request_id,
        kind=enum_to_proto(PD_KIND, request.kind),
        partner_id=request.partner_id,
        subject=personal_data_pb2.DataSubject(
            login=request.subject.login, email=request.subject.email, phone=request.subject.phone
        ),
        description=request.description,
        received_date=iso(request.received_date),
        due_date=iso(request.due_date),
        state=enum_to_proto(PD_STATE, request.state),
        overdue=request.is_overdue(today),
        opened_by=request.opened_by,
        opened_time=timestamp(request.opened_time),
        completed_by=request.completed_by,
        completed_time=timestamp(request.completed_time),
        completion_note=request.completion_note,
        subject_fingerprint=request.subject_fingerprint,
        policy_version=request.policy_version,
        legal_basis=enum_to_proto(LEGAL_BASIS, request.legal_basis),
    )


def shown_to(caller: Caller, message: personal_data_pb2.PersonalDataRequest) -> personal_data_pb2.PersonalDataRequest:
    """The request as ``caller`` may see it: the person masked unless the caller's role needs them (R-PD-01)."""
    if may_see_personal_data(caller):
        return message
    shown = personal_data_pb2.PersonalDataRequest()
    shown.CopyFrom(message)
    subject = message.subject
    shown.subject.CopyFrom(
        personal_data_pb2.DataSubject(
            login=mask_text(subject.login), email=mask_email(subject.email), phone=mask_phone(subject.phone)
        )
    )
    shown.subject_masked = True
    return shown


def sold_item_from_proto(
    kind: int, edition_code: str, from_edition_code: str, cloud_plan: str, months: int
) -> SoldItem:
    """What the sales platform sells; an unspecified kind is a new licence (R-PRC-02)."""
    sale_kind = enum_from_proto(SALE_KIND, kind, SaleKind) or SaleKind.NEW_LICENSE
    if sale_kind is SaleKind.CLOUD_PLAN:
        return SoldItem(sale_kind, cloud_plan=cloud_plan.strip().upper(), period_months=months)
    return SoldItem(sale_kind, edition_code=edition_code, from_edition_code=from_edition_code)


def agreed_discount_to_proto(agreement: AgreedDiscount) -> pricing_pb2.AgreedDiscount:
    return pricing_pb2.AgreedDiscount(
        agreed_discount_id=agreement.agreed_discount_id,
        description=agreement.description,
        vendor_reference=agreement.vendor_reference,
        partner_id=agreement.partner_id,
        product_code=agreement.product_code,
        sale_kind=enum_to_proto(SALE_KIND, agreement.sale_kind),
        max_discount_percent=str(agreement.max_discount_percent),
        valid_from_date=iso(agreement.valid_from),
        valid_until_date=iso(agreement.valid_until),
        recorded_by=agreement.recorded_by,
        recorded_time=timestamp(agreement.recorded_time),
        policy_version=agreement.policy_version,
        ended_by=agreement.ended_by,
        end_time=timestamp(agreement.ended_time),
        end_reason=agreement.end_reason,
    )
