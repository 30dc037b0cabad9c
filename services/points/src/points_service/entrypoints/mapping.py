"""Protobuf <-> domain for the points API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from google.protobuf import timestamp_pb2

from partnerprogram.compliance.v1 import personal_data_pb2
from partnerprogram.points.v1 import (
    ledger_pb2,
    monitoring_pb2,
    order_pb2,
    point_request_pb2,
    points_service_pb2,
    project_pb2,
)
from points_service.adapters.daily_totals_store import StoredTotal
from points_service.adapters.event_codec import ledger_entry_pb, timestamp
from points_service.adapters.repositories import ERASED
from points_service.domain.accruals import OtherMainAccrual
from points_service.domain.disputes import DisputeState, ProjectDispute
from points_service.domain.ledger import ExpiringPoints, PointKind, SourceType
from points_service.domain.monitoring import (
    ClientContact,
    MonitoringState,
    MonitoringSubmission,
    TestOutcome,
    TestResult,
)
from points_service.domain.orders import Order, OrderLine, OrderState
from points_service.domain.projects import Project, ProjectDraft, ProjectState
from points_service.domain.requests import PointRequest, PointRequestState
from points_service.domain.sites import SiteAlias
from ppcore.auth import Caller
from ppcore.decimals import parse_decimal
from ppcore.errors import InvalidArgument
from ppcore.personal_data import mask_email, mask_phone, mask_text, may_see_contacts_of

__all__ = ["ledger_entry_pb", "timestamp"]


# --- scalars ---------------------------------------------------------------------------
def decimal_of(text: str, field: str) -> Decimal:
    return parse_decimal(field, text)


def date_of(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument.for_field(field, f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def instant_of(ts: timestamp_pb2.Timestamp, present: bool) -> datetime | None:
    return ts.ToDatetime().replace(tzinfo=UTC) if present else None


def _enum_name(value_name: str, prefix: str) -> str:
    return value_name.removeprefix(prefix)


# --- ledger ------------------------------------------------------------------------------
def point_kind_of(value: int) -> PointKind | None:
    if value == ledger_pb2.POINT_KIND_UNSPECIFIED:
        return None
    return PointKind(_enum_name(ledger_pb2.PointKind.Name(value), "POINT_KIND_"))  # type: ignore[arg-type]


def source_type_of(value: int) -> SourceType | None:
    if value == ledger_pb2.SOURCE_TYPE_UNSPECIFIED:
        return None
    return SourceType(_enum_name(ledger_pb2.SourceType.Name(value), "SOURCE_TYPE_"))  # type: ignore[arg-type]


def main_accrual_kind_of(value: int) -> OtherMainAccrual:
    if value == points_service_pb2.MAIN_ACCRUAL_KIND_UNSPECIFIED:
        raise InvalidArgument.for_field("kind", "is required", rule="R-PTS-02")
    name = points_service_pb2.MainAccrualKind.Name(value)  # type: ignore[arg-type]
    return OtherMainAccrual(_enum_name(name, "MAIN_ACCRUAL_KIND_"))


def daily_total_pb(total: StoredTotal) -> ledger_pb2.DailyTotal:
    return ledger_pb2.DailyTotal(
        partner_id=total.partner_id,
        business_date=total.business_date.isoformat(),
        total_points=str(total.total),
        computed_time=timestamp(total.computed_at),
        policy_version=total.policy_version,
    )


def expiring_window_pb(within_days: int, expiring: ExpiringPoints) -> points_service_pb2.ExpiringWindow:
    return points_service_pb2.ExpiringWindow(
        within_days=within_days,
        total_points=str(expiring.total),
        by_date=[ledger_pb2.ExpiringOnDate(expire_date=d.isoformat(), points=str(v)) for d, v in expiring.by_date],
    )


# --- orders ------------------------------------------------------------------------------
def order_lines_of(order: order_pb2.Order) -> list[OrderLine]:
    return [
        OrderLine(
            product_code=line.product_code,
            amount_uah=decimal_of(line.amount_uah or "0", f"order.lines[{i}].amount_uah"),
            edition_code=line.edition_code or None,
            is_renewal=line.renewal,
            is_upgrade=line.upgrade,
            quantity=line.quantity or 1,
            list_amount_uah=(
                decimal_of(line.list_amount_uah, f"order.lines[{i}].list_amount_uah") if line.list_amount_uah else None
            ),
        )
        for i, line in enumerate(order.lines)
    ]


def order_pb(order: Order, points: Decimal) -> order_pb2.Order:
    return order_pb2.Order(
        order_id=order.order_id,
        partner_id=order.partner_id,
        lines=[
            order_pb2.OrderLine(
                product_code=line.product_code,
                edition_code=line.edition_code or "",
                amount_uah=str(line.amount_uah),
                quantity=line.quantity,
                renewal=line.is_renewal,
                upgrade=line.is_upgrade,
                list_amount_uah="" if line.list_amount_uah is None else str(line.list_amount_uah),
            )
            for line in order.lines
        ],
        amount_uah=str(order.amount_uah),
        sales_uah=str(order.sales_uah),
        order_time=timestamp(order.ordered_at),
        state=order_pb2.ORDER_STATE_RECORDED if order.state is OrderState.RECORDED else order_pb2.ORDER_STATE_CANCELLED,
        cancel_time=timestamp(order.cancelled_at),
        cancel_reason=order.cancel_reason,
        points=str(points),
    )


# --- projects ----------------------------------------------------------------------------
def project_state_of(value: int) -> ProjectState | None:
    if value == project_pb2.PROJECT_STATE_UNSPECIFIED:
        return None
    return ProjectState(_enum_name(project_pb2.ProjectState.Name(value), "PROJECT_STATE_"))  # type: ignore[arg-type]


def project_draft_of(
    request: points_service_pb2.SubmitProjectRequest | points_service_pb2.ResubmitProjectRequest, partner_id: str
) -> ProjectDraft:
    return ProjectDraft(
        partner_id=partner_id,
        site_url=request.site_url,
        license_key=request.license_key,
        edition_code=request.edition_code or None,
        mirror_urls=tuple(request.mirror_urls),
        title=request.title,
        description=request.description,
        publish_on_site=request.publish_on_site,
        template_design=request.template_design,
        joint_partner_id=request.joint_partner_id or None,
        contract_holder_partner_id=request.contract_holder_partner_id or None,
        language_version_of=request.language_version_of_project_id or None,
    )


def project_pb(project: Project, points: Decimal | None = None) -> project_pb2.Project:
    return project_pb2.Project(
        project_id=project.project_id,
        partner_id=project.partner_id,
        site_url=project.site_url,
        site_key=project.site_key,
        mirror_urls=list(project.mirror_urls),
        license_key=project.license_key,
        edition_code=project.edition_code,
        title=project.title,
        description=project.description,
        publish_on_site=project.publish_on_site,
        template_design=project.template_design,
        joint_partner_id=project.joint_partner_id or "",
        contract_holder_partner_id=project.contract_holder_partner_id or "",
        state=project_pb2.ProjectState.Value(f"PROJECT_STATE_{project.state.value}"),
        submit_time=timestamp(project.submitted_at),
        review_due_date=project.review_due_date.isoformat(),
        moderator_note=project.moderator_note,
        decide_time=timestamp(project.decided_at),
        decided_by=project.decided_by,
        points=str(points) if points is not None else "",
        submission_count=project.submission_count,
        dispute_id=project.dispute_id or "",
        language_version_of_project_id=project.language_version_of or "",
    )


def dispute_state_of(value: int) -> DisputeState | None:
    if value == project_pb2.PROJECT_DISPUTE_STATE_UNSPECIFIED:
        return None
    name = project_pb2.ProjectDisputeState.Name(value)  # type: ignore[arg-type]
    return DisputeState(_enum_name(name, "PROJECT_DISPUTE_STATE_"))


def dispute_pb(dispute: ProjectDispute, claims: list[Project]) -> project_pb2.ProjectDispute:
    return project_pb2.ProjectDispute(
        dispute_id=dispute.dispute_id,
        site_key=dispute.site_key,
        state=project_pb2.ProjectDisputeState.Value(f"PROJECT_DISPUTE_STATE_{dispute.state.value}"),
        reason=dispute.reason,
        claims=[
            project_pb2.DisputedClaim(
                project_id=c.project_id,
                partner_id=c.partner_id,
                joint_partner_id=c.joint_partner_id or "",
                contract_holder_partner_id=c.contract_holder_partner_id or "",
                project_state=project_pb2.ProjectState.Value(f"PROJECT_STATE_{c.state.value}"),
            )
            for c in claims
        ],
        open_time=timestamp(dispute.opened_at),
        decide_time=timestamp(dispute.decided_at),
        decided_by=dispute.decided_by,
        contract_holder_partner_id=dispute.contract_holder_partner_id or "",
        evidence=dispute.evidence,
    )


def site_alias_pb(alias: SiteAlias) -> project_pb2.SiteAlias:
    return project_pb2.SiteAlias(
        alias_key=alias.alias_key,
        site_key=alias.site_key,
        declared_by=alias.declared_by,
        declare_time=timestamp(alias.declared_at),
        note=alias.note,
    )


# --- monitoring --------------------------------------------------------------------------
def monitoring_state_of(value: int) -> MonitoringState | None:
    if value == monitoring_pb2.MONITORING_STATE_UNSPECIFIED:
        return None
    name = monitoring_pb2.MonitoringState.Name(value)  # type: ignore[arg-type]
    return MonitoringState(_enum_name(name, "MONITORING_STATE_"))


def test_results_of(results: list[monitoring_pb2.TestResult]) -> list[TestResult]:
    out = []
    for i, r in enumerate(results):
        if r.outcome == monitoring_pb2.TEST_OUTCOME_UNSPECIFIED:
            raise InvalidArgument.for_field(f"test_results[{i}].outcome", "is required", rule="R-QM-02")
        outcome = TestOutcome(_enum_name(monitoring_pb2.TestOutcome.Name(r.outcome), "TEST_OUTCOME_"))
        out.append(TestResult(test_code=r.test_code, mandatory=r.mandatory, outcome=outcome, explanation=r.explanation))
    return out


def client_contact_of(contact: monitoring_pb2.ClientContact) -> ClientContact:
    return ClientContact(name=contact.name, phone=contact.phone, email=contact.email)


def client_contact_pb(contact: ClientContact, partner_id: str, caller: Caller) -> monitoring_pb2.ClientContact:
    """The client's contact, masked unless the caller may see the partner's contacts (R-PD-01)."""
    shown = monitoring_pb2.ClientContact(
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        legal_basis=personal_data_pb2.LegalBasis.Value(f"LEGAL_BASIS_{contact.legal_basis.value}"),  # type: ignore[arg-type]
    )
    if may_see_contacts_of(caller, partner_id):
        return shown
    if contact.name != ERASED:
        shown.name = mask_text(contact.name)
    shown.phone, shown.email, shown.masked = mask_phone(contact.phone), mask_email(contact.email), True
    return shown


def submission_pb(s: MonitoringSubmission, points: str, caller: Caller) -> monitoring_pb2.MonitoringSubmission:
    return monitoring_pb2.MonitoringSubmission(
        submission_id=s.submission_id,
        partner_id=s.partner_id,
        project_id=s.project_id or "",
        site_key=s.site_key,
        license_key=s.license_key,
        edition_code=s.edition_code,
        client_contact=client_contact_pb(s.client_contact, s.partner_id, caller),
        test_results=[
            monitoring_pb2.TestResult(
                test_code=t.test_code,
                mandatory=t.mandatory,
                outcome=monitoring_pb2.TestOutcome.Value(f"TEST_OUTCOME_{t.outcome.value}"),
                explanation=t.explanation,
            )
            for t in s.test_results
        ],
        state=monitoring_pb2.MonitoringState.Value(f"MONITORING_STATE_{s.state.value}"),
        survey_scores=[
            monitoring_pb2.SurveyScore(question_code=q, score=v) for q, v in sorted(s.survey_scores.items())
        ],
        submit_time=timestamp(s.submitted_at),
        complete_time=timestamp(s.completed_at),
        points=points,
    )


# --- point requests ----------------------------------------------------------------------
def point_request_state_of(value: int) -> PointRequestState | None:
    if value == point_request_pb2.POINT_REQUEST_STATE_UNSPECIFIED:
        return None
    name = point_request_pb2.PointRequestState.Name(value)  # type: ignore[arg-type]
    return PointRequestState(_enum_name(name, "POINT_REQUEST_STATE_"))


def point_request_pb(r: PointRequest, accrued: Decimal) -> point_request_pb2.PointRequest:
    return point_request_pb2.PointRequest(
        point_request_id=r.request_id,
        partner_id=r.partner_id,
        category=r.category,
        requested_points=str(r.requested_points),
        evidence_description=r.evidence.description,
        evidence_links=list(r.evidence.links),
        state=point_request_pb2.PointRequestState.Value(f"POINT_REQUEST_STATE_{r.state.value}"),
        submit_time=timestamp(r.submitted_at),
        due_date=r.due_date.isoformat(),
        granted_points=str(r.granted_points),
        accrued_points=str(accrued),
        decision_reason=r.decision_reason,
        decide_time=timestamp(r.decided_at),
        decided_by=r.decided_by,
        event_notice_given=r.event_notice_at is not None,
        event_notice_time=timestamp(r.event_notice_at),
    )
