"""Orders, main accruals, requests, monitoring, sanctions and erasure over real gRPC (R-PTS-*, R-QM-*, R-PD-03)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.points.v1 import events_pb2 as ev
from partnerprogram.points.v1 import monitoring_pb2 as mon
from partnerprogram.points.v1 import order_pb2
from partnerprogram.points.v1 import points_service_pb2 as pb
from partnerprogram.status.v1 import events_pb2 as status_events

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def ts(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


def renewal(order_id: str, partner: str = "p-1", amount: str = "17900.00") -> order_pb2.Order:
    return order_pb2.Order(
        order_id=order_id,
        partner_id=partner,
        order_time=ts(datetime(2026, 3, 1, 10, tzinfo=UTC)),
        lines=[
            order_pb2.OrderLine(
                product_code="SM-STD-RENEW", edition_code="SM_STANDARD", amount_uah=amount, renewal=True
            )
        ],
    )


async def test_order_accrues_once_and_a_cancelled_order_reverses_its_points(points):
    """R-PTS-02/06: renewals accrue automatically; idempotent by order id; cancellation reverses; events for licensing."""
    await points.approve_partners("p-1")
    first = await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="r1", order=renewal("o-1")), metadata=points.sales()
    )
    assert first.order.points == "5.00" and len(first.entries) == 1
    retried = await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="r2", order=renewal("o-1")), metadata=points.sales()
    )
    assert retried.order.points == "5.00" and await points.scalar("SELECT count(*) FROM ledger_entries") == 1
    before = await points.counts()
    await points.refused(
        points.stub.RecordOrder(
            pb.RecordOrderRequest(request_id="r3", order=renewal("o-1", amount="1.00")), metadata=points.sales()
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "ORDER_ID_REUSED",
    )
    assert await points.counts() == before
    recorded = await points.tap.wait_for(ev.OrderRecorded)
    assert recorded[0].amount_uah == "17900.00" and len(points.tap.of_type(ev.OrderRecorded)) == 1

    volume = await points.stub.GetSalesVolume(
        pb.GetSalesVolumeRequest(partner_id="p-1", start_date="2026-03-01", end_date="2026-03-31"),
        metadata=points.system(),
    )
    assert (volume.amount_uah, volume.order_count) == ("17900.00", 1)

    cancelled = await points.stub.CancelOrder(
        pb.CancelOrderRequest(request_id="c1", order_id="o-1", reason="refund"), metadata=points.sales()
    )
    assert cancelled.order.state == order_pb2.ORDER_STATE_CANCELLED
    assert cancelled.reversals[0].points == "-5.00" and cancelled.order.points == "0.00"
    await points.tap.wait_for(ev.OrderCancelled)
    await points.tap.wait_for(ev.PointsReversed)
    total = await points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id="p-1"), metadata=points.staff())
    assert total.total_points == "0.00"
    volume = await points.stub.GetSalesVolume(
        pb.GetSalesVolumeRequest(partner_id="p-1", start_date="2026-03-01", end_date="2026-03-31"),
        metadata=points.system(),
    )
    assert volume.order_count == 0
    await points.refused(
        points.stub.CancelOrder(pb.CancelOrderRequest(request_id="c2", order_id="o-1"), metadata=points.sales()),
        grpc.StatusCode.FAILED_PRECONDITION,
        "ORDER_ALREADY_CANCELLED",
    )
    await points.refused(
        points.stub.CancelOrder(pb.CancelOrderRequest(request_id="c3", order_id="o-404"), metadata=points.sales()),
        grpc.StatusCode.NOT_FOUND,
        "ORDER_NOT_FOUND",
    )


async def test_main_accrual_once_per_source_and_staff_reversal(points):
    """R-PTS-02: flat policy amounts, one accrual per kind and id; R-PTS-06: corrections are reversals."""
    await points.approve_partners("p-1")
    request = pb.RecordMainAccrualRequest(
        request_id="m1", partner_id="p-1", kind=pb.MAIN_ACCRUAL_KIND_MARKETPLACE_MODULE, source_id="module-7"
    )
    entry = (await points.stub.RecordMainAccrual(request, metadata=points.system())).entry
    assert entry.points == "15.00"
    await points.refused(
        points.stub.RecordMainAccrual(
            pb.RecordMainAccrualRequest(
                request_id="m2", partner_id="p-1", kind=pb.MAIN_ACCRUAL_KIND_MARKETPLACE_MODULE, source_id="module-7"
            ),
            metadata=points.system(),
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "MAIN_ACCRUAL_EXISTS",
    )
    await points.refused(
        points.stub.ReverseLedgerEntry(
            pb.ReverseLedgerEntryRequest(request_id="rv0", entry_id=entry.entry_id), metadata=points.staff()
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "POINTS_REVERSAL_REASON_MISSING",
    )
    points.clock.advance(timedelta(hours=1))
    reversal = await points.stub.ReverseLedgerEntry(
        pb.ReverseLedgerEntryRequest(request_id="rv1", entry_id=entry.entry_id, reason="module withdrawn"),
        metadata=points.staff(),
    )
    assert reversal.reversal.points == "-15.00" and reversal.reversal.reverses_entry_id == entry.entry_id
    await points.refused(
        points.stub.ReverseLedgerEntry(
            pb.ReverseLedgerEntryRequest(request_id="rv2", entry_id=entry.entry_id, reason="again"),
            metadata=points.staff(),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "POINTS_ALREADY_REVERSED",
    )
    # As of before the correction the dispute still sees the 15 points (R-PTS-04/05).
    past = await points.stub.GetActiveTotal(
        pb.GetActiveTotalRequest(partner_id="p-1", as_of_time=ts(points.clock.now() - timedelta(minutes=30))),
        metadata=points.partner("p-1"),
    )
    assert past.total_points == "15.00"
    listed = await points.stub.ListLedgerEntries(
        pb.ListLedgerEntriesRequest(partner_id="p-1", page_size=1), metadata=points.partner("p-1")
    )
    assert len(listed.entries) == 1 and listed.next_page_token
    walked = list(listed.entries)
    while listed.next_page_token:  # keyset pages: newest first, each entry once (issue 12)
        listed = await points.stub.ListLedgerEntries(
            pb.ListLedgerEntriesRequest(partner_id="p-1", page_size=1, page_token=listed.next_page_token),
            metadata=points.partner("p-1"),
        )
        walked.extend(listed.entries)
    keys = [(e.accrued_time.ToDatetime(), e.entry_id) for e in walked]
    assert len(walked) >= 2 and keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    lifetime = await points.stub.GetLifetimePoints(
        pb.GetLifetimePointsRequest(partner_id="p-1"), metadata=points.staff()
    )
    assert lifetime.lifetime_points == "0.00"


async def test_point_request_partial_grant_needs_a_reason_and_overdue_list(points):
    """R-PTS-03: staff grant all, part (with a reason) or none; pending past 10 business days is overdue."""
    await points.approve_partners("p-1")
    submitted = (
        await points.stub.SubmitPointRequest(
            pb.SubmitPointRequestRequest(
                request_id="q1",
                partner_id="p-1",
                category="MARKETING_ACTIVITY",
                requested_points="20",
                evidence_description="webinar for 300 clients",
            ),
            metadata=points.partner("p-1"),
        )
    ).point_request
    await points.refused(
        points.stub.SubmitPointRequest(
            pb.SubmitPointRequestRequest(
                request_id="q2",
                partner_id="p-1",
                category="CERTIFICATION",
                requested_points="5",
                evidence_description="x",
            ),
            metadata=points.partner("p-1"),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "POINT_REQUEST_UNKNOWN_CATEGORY",
    )
    points.clock.advance(timedelta(days=20))
    overdue = await points.stub.ListOverduePointRequests(pb.ListOverduePointRequestsRequest(), metadata=points.staff())
    assert [r.point_request_id for r in overdue.point_requests] == [submitted.point_request_id]
    await points.refused(
        points.stub.DecidePointRequest(
            pb.DecidePointRequestRequest(
                request_id="d0", point_request_id=submitted.point_request_id, granted_points="8"
            ),
            metadata=points.staff(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "POINT_REQUEST_REASON_MISSING",
    )
    decided = await points.stub.DecidePointRequest(
        pb.DecidePointRequestRequest(
            request_id="d1", point_request_id=submitted.point_request_id, granted_points="8", reason="small audience"
        ),
        metadata=points.staff(),
    )
    assert decided.point_request.accrued_points == "8.00" and decided.entry.kind == 2  # ADDITIONAL
    event = await points.tap.wait_for(ev.PointRequestDecided)
    assert event[0].granted_points == "8.00" and event[0].reason == "small audience"


async def test_refuse_points_sanction_zeroes_decisions_until_lifted(points):
    """R-PTS-07: compliance's POINTS_REFUSAL sanction: decisions happen, accrue zero with the reason; lifted, points accrue."""
    await points.approve_partners("p-1")
    await points.publish_and_wait(
        "compliance",
        compliance_events.SanctionApplied(
            partner_id="p-1",
            sanction_id="s-1",
            kind=sanction_pb2.SANCTION_KIND_POINTS_REFUSAL,
            start_date="2026-03-01",
            end_date="2026-09-01",
            case_id="case-1",
        ),
        "p-1",
    )
    entry = (
        await points.stub.RecordMainAccrual(
            pb.RecordMainAccrualRequest(
                request_id="a1", partner_id="p-1", kind=pb.MAIN_ACCRUAL_KIND_MOBILE_APP, source_id="app-1"
            ),
            metadata=points.staff(),
        )
    ).entry
    assert entry.points == "0.00" and entry.withheld_points == "10.00" and "R-PTS-07" in entry.withheld_reason
    await points.publish_and_wait(
        "compliance",
        compliance_events.SanctionLifted(
            partner_id="p-1",
            sanction_id="s-1",
            kind=sanction_pb2.SANCTION_KIND_POINTS_REFUSAL,
            start_date="2026-03-01",
            end_date="2026-09-01",
            lifted_time=ts(points.clock.now()),
        ),
        "p-1",
    )
    points.clock.advance(timedelta(minutes=1))
    entry = (
        await points.stub.RecordMainAccrual(
            pb.RecordMainAccrualRequest(
                request_id="a2", partner_id="p-1", kind=pb.MAIN_ACCRUAL_KIND_MOBILE_APP, source_id="app-2"
            ),
            metadata=points.staff(),
        )
    ).entry
    assert entry.points == "10.00"


def stage1(
    partner: str, site: str, *, outcome=mon.TEST_OUTCOME_PASSED, explanation=""
) -> pb.SubmitMonitoringResultsRequest:
    return pb.SubmitMonitoringResultsRequest(
        request_id=f"qm-{site}-{outcome}-{explanation}",
        partner_id=partner,
        site_url=site,
        license_key="KEY-BUSINESS-1",
        client_contact=mon.ClientContact(name="Olena Client", phone="+380501112233", email="olena@client.ua"),
        test_results=[
            mon.TestResult(test_code="SPEED", mandatory=True, outcome=outcome, explanation=explanation),
            mon.TestResult(test_code="SEO", mandatory=False, outcome=mon.TEST_OUTCOME_SKIPPED),
        ],
    )


async def test_quality_monitoring_completes_with_the_edition_points_value_and_erasure_keeps_history(points):
    """R-QM-02/03/04: mandatory tests pass or are disputed with an explanation; the survey accrues the
    edition's points value and MonitoringCompleted is published. R-PD-03: the client's contact is erased."""
    await points.approve_partners("p-1")
    await points.refused(
        points.stub.SubmitMonitoringResults(
            stage1("p-1", "qm.example.com", outcome=mon.TEST_OUTCOME_FAILED), metadata=points.partner("p-1")
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "MONITORING_MANDATORY_TEST_NOT_PASSED",
    )
    await points.refused(
        points.stub.SubmitMonitoringResults(
            stage1("p-1", "qm.example.com", outcome=mon.TEST_OUTCOME_DISPUTED), metadata=points.partner("p-1")
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "MONITORING_DISPUTE_UNEXPLAINED",
    )
    assert await points.scalar("SELECT count(*) FROM monitoring_submissions") == 0
    submission = (
        await points.stub.SubmitMonitoringResults(
            stage1("p-1", "qm.example.com", outcome=mon.TEST_OUTCOME_DISPUTED, explanation="CDN warm-up"),
            metadata=points.partner("p-1"),
        )
    ).submission
    assert submission.edition_code == "SM_BUSINESS" and submission.state == mon.MONITORING_STATE_AWAITING_SURVEY
    scores = [
        mon.SurveyScore(question_code=q, score=5)
        for q in ("OVERALL_SATISFACTION", "DEADLINES_MET", "QUALITY_OF_RESULT", "COMMUNICATION", "WOULD_RECOMMEND")
    ]
    await points.refused(
        points.stub.RecordMonitoringSurvey(
            pb.RecordMonitoringSurveyRequest(
                request_id="s0", submission_id=submission.submission_id, scores=scores[:2]
            ),
            metadata=points.staff(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "MONITORING_SURVEY_INCOMPLETE",
    )
    done = await points.stub.RecordMonitoringSurvey(
        pb.RecordMonitoringSurveyRequest(request_id="s1", submission_id=submission.submission_id, scores=scores),
        metadata=points.staff(),
    )
    assert done.entry.points == "40.00" and done.submission.state == mon.MONITORING_STATE_COMPLETED
    completed = await points.tap.wait_for(ev.MonitoringCompleted)
    assert completed[0].edition_code == "SM_BUSINESS" and completed[0].points == "40.00"

    await points.publish_and_wait(
        "compliance",
        compliance_events.PersonalDataErasureRequested(
            partner_id="p-1", personal_data_request_id="pd-1", subject_email="OLENA@client.ua"
        ),
        "p-1",
    )
    kept = (
        await points.stub.GetMonitoringSubmission(
            pb.GetMonitoringSubmissionRequest(submission_id=submission.submission_id), metadata=points.partner("p-1")
        )
    ).submission
    assert (
        kept.client_contact.email == "" and kept.client_contact.phone == "" and kept.client_contact.name == "[erased]"
    )
    assert kept.state == mon.MONITORING_STATE_COMPLETED and len(kept.survey_scores) == 5


async def test_terminated_partner_gets_no_new_submissions(points):
    """R-PRT-06/07: after PartnerTerminated, points refuses new submissions for the partner."""
    await points.approve_partners("p-1")
    await points.publish_and_wait(
        "status", status_events.PartnerTerminated(partner_id="p-1", effective_date="2026-03-02"), "p-1"
    )
    await points.refused(
        points.stub.SubmitPointRequest(
            pb.SubmitPointRequestRequest(
                request_id="t1", partner_id="p-1", category="OTHER", requested_points="1", evidence_description="x"
            ),
            metadata=points.staff(),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "PARTNER_TERMINATED",
    )
