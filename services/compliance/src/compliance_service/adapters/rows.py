"""Domain objects to rows and back. The only place that knows both shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from compliance_service.adapters.orm import (
    AgreedDiscountRow,
    CaseRow,
    ControlPurchaseRow,
    PersonalDataRequestRow,
    SanctionRow,
)
from compliance_service.domain.agreed_discounts import AgreedDiscount
from compliance_service.domain.cases import Appeal, AppealDecision, CaseDecision, CaseState, ViolationCase
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.personal_data import (
    DataSubject,
    PersonalDataRequest,
    PersonalDataRequestKind,
    PersonalDataRequestState,
)
from compliance_service.domain.pricing import ControlPurchase, SaleKind
from compliance_service.domain.sanction_catalogue import SanctionKind, SanctionParameters
from compliance_service.domain.sanctions import LiftReason, Sanction, SanctionLift, SanctionState
from compliance_service.domain.violation_types import MysteryShopperKind, ViolationType
from ppcore.personal_data import LegalBasis
from ppcore.policy import Tier


def _price(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def case_values(case: ViolationCase) -> dict[str, Any]:
    e, d, a = case.evidence, case.decision, case.appeal
    ad = a.decision if a is not None else None
    return {
        "case_id": case.case_id,
        "partner_id": case.partner_id,
        "violation_type": case.violation_type.value,
        "mystery_shopper_kind": case.mystery_shopper_kind.value if case.mystery_shopper_kind else None,
        "violation_date": case.violation_date,
        "state": case.state.value,
        "opened_by": case.opened_by,
        "opened_time": case.opened_time,
        "policy_version": case.policy_version,
        "evidence_description": e.description,
        "evidence_references": list(e.references),
        "evidence_file_hashes": list(e.file_hashes),
        "evidence_observed_price_uah": _text(e.observed_price_uah),
        "evidence_list_price_uah": _text(e.list_price_uah),
        "evidence_answer_wait_seconds": e.answer_wait_seconds,
        "evidence_order_id": e.order_id,
        "evidence_edition_code": e.edition_code,
        "evidence_rebate_uah": _text(e.rebate_uah),
        "evidence_free_extras": e.free_extras,
        "decision_confirmed": d.confirmed if d else None,
        "decision_reason": d.reason if d else None,
        "decided_by": d.decided_by if d else None,
        "decided_time": d.decided_time if d else None,
        "decision_policy_version": d.policy_version if d else None,
        "appeal_statement": a.statement if a else None,
        "appeal_filed_by": a.filed_by if a else None,
        "appeal_filed_time": a.filed_time if a else None,
        "appeal_deadline_date": a.deadline_date if a else None,
        "appeal_upheld": ad.upheld if ad else None,
        "appeal_reason": ad.reason if ad else None,
        "appeal_decided_by": ad.decided_by if ad else None,
        "appeal_decided_time": ad.decided_time if ad else None,
    }


def case_from_row(row: CaseRow) -> ViolationCase:
    decision = None
    if row.decision_confirmed is not None and row.decided_time is not None:
        decision = CaseDecision(
            confirmed=row.decision_confirmed,
            reason=row.decision_reason or "",
            decided_by=row.decided_by or "",
            decided_time=row.decided_time,
            policy_version=row.decision_policy_version or "",
        )
    appeal = None
    if row.appeal_filed_time is not None and row.appeal_deadline_date is not None:
        appeal_decision = None
        if row.appeal_upheld is not None and row.appeal_decided_time is not None:
            appeal_decision = AppealDecision(
                upheld=row.appeal_upheld,
                reason=row.appeal_reason or "",
                decided_by=row.appeal_decided_by or "",
                decided_time=row.appeal_decided_time,
            )
        appeal = Appeal(
            statement=row.appeal_statement or "",
            filed_by=row.appeal_filed_by or "",
            filed_time=row.appeal_filed_time,
            deadline_date=row.appeal_deadline_date,
            decision=appeal_decision,
        )
    return ViolationCase(
        case_id=row.case_id,
        partner_id=row.partner_id,
        violation_type=ViolationType(row.violation_type),
        mystery_shopper_kind=MysteryShopperKind(row.mystery_shopper_kind) if row.mystery_shopper_kind else None,
        violation_date=row.violation_date,
        evidence=Evidence(
            description=row.evidence_description,
            references=tuple(row.evidence_references),
            file_hashes=tuple(row.evidence_file_hashes),
            observed_price_uah=_price(row.evidence_observed_price_uah),
            list_price_uah=_price(row.evidence_list_price_uah),
            answer_wait_seconds=row.evidence_answer_wait_seconds,
            order_id=row.evidence_order_id,
            edition_code=row.evidence_edition_code,
            rebate_uah=_price(row.evidence_rebate_uah),
            free_extras=row.evidence_free_extras,
        ),
        opened_by=row.opened_by,
        opened_time=row.opened_time,
        policy_version=row.policy_version,
        state=CaseState(row.state),
        decision=decision,
        appeal=appeal,
    )


def sanction_values(sanction: Sanction) -> dict[str, Any]:
    p, lift = sanction.parameters, sanction.lift
    return {
        "sanction_id": sanction.sanction_id,
        "partner_id": sanction.partner_id,
        "case_id": sanction.case_id,
        "kind": sanction.kind.value,
        "start_date": sanction.start_date,
        "end_date": sanction.end_date,
        "target_tier": p.target_tier.value if p.target_tier else None,
        "competency_codes": list(p.competency_codes),
        "nfr_key_ids": list(p.nfr_key_ids),
        "applied_by": sanction.applied_by,
        "applied_time": sanction.applied_time,
        "policy_version": sanction.policy_version,
        "state": sanction.state.value,
        "lift_reason": lift.reason.value if lift else None,
        "lift_note": lift.note if lift else None,
        "lifted_by": lift.lifted_by if lift else None,
        "lifted_time": lift.lifted_time if lift else None,
    }


def sanction_from_row(row: SanctionRow) -> Sanction:
    lift = None
    if row.lift_reason is not None and row.lifted_time is not None:
        lift = SanctionLift(LiftReason(row.lift_reason), row.lift_note or "", row.lifted_by or "", row.lifted_time)
    return Sanction(
        sanction_id=row.sanction_id,
        partner_id=row.partner_id,
        case_id=row.case_id,
        kind=SanctionKind(row.kind),
        start_date=row.start_date,
        end_date=row.end_date,
        parameters=SanctionParameters(
            target_tier=Tier(row.target_tier) if row.target_tier else None,
            competency_codes=tuple(row.competency_codes),
            nfr_key_ids=tuple(row.nfr_key_ids),
        ),
        applied_by=row.applied_by,
        applied_time=row.applied_time,
        policy_version=row.policy_version,
        state=SanctionState(row.state),
        lift=lift,
    )


def control_purchase_row(purchase: ControlPurchase) -> ControlPurchaseRow:
    e = purchase.evidence
    return ControlPurchaseRow(
        purchase_id=purchase.purchase_id,
        partner_id=purchase.partner_id,
        edition_code=purchase.edition_code,
        paid_price_uah=str(purchase.paid_price_uah),
        list_price_uah=str(purchase.list_price_uah),
        purchased_date=purchase.purchased_date,
        evidence_description=e.description,
        evidence_references=list(e.references),
        evidence_file_hashes=list(e.file_hashes),
        case_id=purchase.case_id,
        recorded_by=purchase.recorded_by,
        recorded_time=purchase.recorded_time,
        policy_version=purchase.policy_version,
    )


def pd_request_values(request: PersonalDataRequest) -> dict[str, Any]:
    return {
        "pd_request_id": request.pd_request_id,
        "kind": request.kind.value,
        "partner_id": request.partner_id,
        "subject_login": request.subject.login,
        "subject_email": request.subject.email,
        "subject_phone": request.subject.phone,
        "description": request.description,
        "received_date": request.received_date,
        "due_date": request.due_date,
        "state": request.state.value,
        "opened_by": request.opened_by,
        "opened_time": request.opened_time,
        "completed_by": request.completed_by,
        "completed_time": request.completed_time,
        "completion_note": request.completion_note,
        "subject_fingerprint": request.subject_fingerprint,
        "policy_version": request.policy_version,
        "legal_basis": request.legal_basis.value,
    }


def pd_request_from_row(row: PersonalDataRequestRow) -> PersonalDataRequest:
    return PersonalDataRequest(
        pd_request_id=row.pd_request_id,
        kind=PersonalDataRequestKind(row.kind),
        partner_id=row.partner_id,
        subject=DataSubject(row.subject_login, row.subject_email, row.subject_phone),
        description=row.description,
        received_date=row.received_date,
        due_date=row.due_date,
        opened_by=row.opened_by,
        opened_time=row.opened_time,
        policy_version=row.policy_version,
        state=PersonalDataRequestState(row.state),
        completed_by=row.completed_by,
        completed_time=row.completed_time,
        completion_note=row.completion_note,
        subject_fingerprint=row.subject_fingerprint,
        legal_basis=LegalBasis(row.legal_basis),
    )


def agreed_discount_row(agreement: AgreedDiscount) -> AgreedDiscountRow:
    return AgreedDiscountRow(agreed_discount_id=agreement.agreed_discount_id, **agreed_discount_values(agreement))


def agreed_discount_values(agreement: AgreedDiscount) -> dict[str, Any]:
    return dict(
        description=agreement.description,
        vendor_reference=agreement.vendor_reference,
        partner_id=agreement.partner_id,
        product_code=agreement.product_code,
        sale_kind=agreement.sale_kind.value if agreement.sale_kind is not None else None,
        max_discount_percent=str(agreement.max_discount_percent),
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        recorded_by=agreement.recorded_by,
        recorded_time=agreement.recorded_time,
        policy_version=agreement.policy_version,
        ended_by=agreement.ended_by,
        ended_time=agreement.ended_time,
        end_reason=agreement.end_reason,
    )


def agreed_discount_from_row(row: AgreedDiscountRow) -> AgreedDiscount:
    return AgreedDiscount(
        agreed_discount_id=row.agreed_discount_id,
        description=row.description,
        vendor_reference=row.vendor_reference,
        partner_id=row.partner_id,
        product_code=row.product_code,
        sale_kind=SaleKind(row.sale_kind) if row.sale_kind else None,
        max_discount_percent=Decimal(row.max_discount_percent),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        recorded_by=row.recorded_by,
        recorded_time=row.recorded_time,
        policy_version=row.policy_version,
        ended_by=row.ended_by,
        ended_time=row.ended_time,
        end_reason=row.end_reason,
    )
