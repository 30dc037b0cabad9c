"""What a user of the points API sees after the program-fidelity fixes (issue 10), over real gRPC
on PostgreSQL and NATS: orders resent by the sales platform, unknown partners, the survey
questionnaire, event notices, project points by key edition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.points.v1 import order_pb2
from partnerprogram.points.v1 import points_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def ts(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


def untimed_renewal(order_id: str, amount: str = "17900.00") -> order_pb2.Order:
    return order_pb2.Order(
        order_id=order_id,
        partner_id="p-1",
        lines=[
            order_pb2.OrderLine(
                product_code="SM-STD-RENEW", edition_code="SM_STANDARD", amount_uah=amount, renewal=True
            )
        ],
    )


async def test_an_order_resent_under_a_new_request_id_without_order_time_returns_the_first_answer(points):
    """R-PTS-02: an order is identified by its order id; the sales platform resending the same order
    under a new request_id with order_time unset gets the first answer and nothing acts twice, while
    different contents under that order id are still ALREADY_EXISTS."""
    await points.approve_partners("p-1")
    first = await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="send-1", order=untimed_renewal("o-77")), metadata=points.sales()
    )
    points.clock.advance(timedelta(minutes=5))
    again = await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="send-2", order=untimed_renewal("o-77")), metadata=points.sales()
    )
    assert again == first
    assert await points.scalar("SELECT count(*) FROM ledger_entries") == 1
    assert await points.scalar("SELECT count(*) FROM orders") == 1
    await points.refused(
        points.stub.RecordOrder(
            pb.RecordOrderRequest(request_id="send-3", order=untimed_renewal("o-77", amount="1.00")),
            metadata=points.sales(),
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "ORDER_ID_REUSED",
    )


async def test_points_queries_for_an_unknown_partner_are_not_found(points):
    """Points knows a partner from status's PartnerApproved: per-partner queries about any other id are
    NOT_FOUND instead of a misleading zero; a known partner without points reads zero."""
    await points.approve_partners("p-1")
    calls = [
        points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id="p-404"), metadata=points.staff()),
        points.stub.GetLifetimePoints(pb.GetLifetimePointsRequest(partner_id="p-404"), metadata=points.staff()),
        points.stub.GetExpiringPoints(
            pb.GetExpiringPointsRequest(partner_id="p-404", within_days=30), metadata=points.staff()
        ),
        points.stub.ListLedgerEntries(pb.ListLedgerEntriesRequest(partner_id="p-404"), metadata=points.staff()),
    ]
    for call in calls:
        await points.refused(call, grpc.StatusCode.NOT_FOUND, "PARTNER_NOT_FOUND")
    await points.stub.RunDailyTotals(
        pb.RunDailyTotalsRequest(request_id="dt-1", business_date="2026-02-27"), metadata=points.system()
    )
    await points.refused(
        points.stub.GetDailyTotal(pb.GetDailyTotalRequest(partner_id="p-404"), metadata=points.staff()),
        grpc.StatusCode.NOT_FOUND,
        "PARTNER_NOT_FOUND",
    )
    known = await points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id="p-1"), metadata=points.staff())
    assert known.total_points == "0.00"
    daily = await points.stub.GetDailyTotal(pb.GetDailyTotalRequest(partner_id="p-1"), metadata=points.staff())
    assert daily.daily_total.total_points == "0.00"


async def test_the_survey_questionnaire_is_listed_and_a_survey_of_exactly_it_completes(points):
    """R-QM-03: the fixed questionnaire's question codes are read from a query (not from a refusal),
    and scoring exactly those questions completes the survey."""
    await points.approve_partners("p-1")
    listed = await points.stub.GetSurveyQuestionnaire(
        pb.GetSurveyQuestionnaireRequest(), metadata=points.partner("p-1")
    )
    assert listed.question_codes and (listed.min_score, listed.max_score) == (1, 5)
    from partnerprogram.points.v1 import monitoring_pb2 as mon

    submission = (
        await points.stub.SubmitMonitoringResults(
            pb.SubmitMonitoringResultsRequest(
                request_id="qm-1",
                partner_id="p-1",
                site_url="survey.example.com",
                license_key="KEY-BUSINESS-1",
                client_contact=mon.ClientContact(name="Client", phone="+380501112233", email="c@client.ua"),
                test_results=[mon.TestResult(test_code="SPEED", mandatory=True, outcome=mon.TEST_OUTCOME_PASSED)],
            ),
            metadata=points.partner("p-1"),
        )
    ).submission
    done = await points.stub.RecordMonitoringSurvey(
        pb.RecordMonitoringSurveyRequest(
            request_id="s-1",
            submission_id=submission.submission_id,
            scores=[mon.SurveyScore(question_code=q, score=listed.max_score) for q in listed.question_codes],
        ),
        metadata=points.staff(),
    )
    assert done.submission.state == mon.MONITORING_STATE_COMPLETED


async def submit_event_request(points, rid: str, requested: str, notice: datetime | None = None):
    request = pb.SubmitPointRequestRequest(
        request_id=rid,
        partner_id="p-1",
        category="EVENT_PARTICIPATION",
        requested_points=requested,
        evidence_description=f"event {rid}",
    )
    if notice is not None:
        request.event_notice_time.CopyFrom(ts(notice))
    return (await points.stub.SubmitPointRequest(request, metadata=points.partner("p-1"))).point_request


async def test_an_event_point_request_shows_staff_whether_and_when_notice_was_given(points):
    """R-PTS-03: "Як правило, для нарахування Балів потрібне попереднє повідомлення про намір" -- the
    request records the notice of intent (or its absence), staff see it when deciding, and may grant
    without it."""
    await points.approve_partners("p-1")
    notice = datetime(2026, 2, 10, 9, tzinfo=UTC)
    noticed = await submit_event_request(points, "ev-1", "15", notice)
    unnoticed = await submit_event_request(points, "ev-2", "10")
    staff_view = (
        await points.stub.GetPointRequest(
            pb.GetPointRequestRequest(point_request_id=noticed.point_request_id), metadata=points.staff()
        )
    ).point_request
    assert staff_view.event_notice_given and staff_view.event_notice_time.ToDatetime(tzinfo=UTC) == notice
    assert not unnoticed.event_notice_given and not unnoticed.HasField("event_notice_time")
    decided = await points.stub.DecidePointRequest(
        pb.DecidePointRequestRequest(
            request_id="ev-d2", point_request_id=unnoticed.point_request_id, granted_points="10"
        ),
        metadata=points.staff(),
    )
    assert decided.entry.points == "10.00" and "without a prior notice" in decided.entry.note
    await points.refused(
        submit_event_request(points, "ev-3", "5", points.clock.now() + timedelta(days=1)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "POINT_REQUEST_NOTICE_IN_FUTURE",
    )


async def test_sales_are_recorded_in_one_unit_list_prices_for_any_product_and_announced_to_licensing(points):
    """R-NFR-06/08: sales of any of the company's products (here a Bitrix24 cloud plan and a Site
    Management licence) count at list prices by policy default, converted once on recording: the order
    and GetSalesVolume show sales_uah beside what the partner paid, and OrderRecorded carries it."""
    await points.approve_partners("p-1")
    order = order_pb2.Order(
        order_id="o-sales",
        partner_id="p-1",
        order_time=ts(datetime(2026, 3, 1, 10, tzinfo=UTC)),
        lines=[
            order_pb2.OrderLine(product_code="SM-STD", edition_code="SM_STANDARD", amount_uah="10740.00"),
            order_pb2.OrderLine(product_code="B24-CLOUD-COMPANY-1M", amount_uah="5994.00", list_amount_uah="9990.00"),
        ],
    )
    recorded = await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="s-1", order=order), metadata=points.sales()
    )
    assert (recorded.order.amount_uah, recorded.order.sales_uah) == ("16734.00", "27890.00")
    volume = await points.stub.GetSalesVolume(
        pb.GetSalesVolumeRequest(partner_id="p-1", start_date="2026-03-01", end_date="2026-03-31"),
        metadata=points.system(),
    )
    assert (volume.amount_uah, volume.sales_uah, volume.order_count) == ("16734.00", "27890.00", 1)
    from partnerprogram.points.v1 import events_pb2 as ev

    announced = await points.tap.wait_for(ev.OrderRecorded)
    assert announced[0].sales_uah == "27890.00" and announced[0].amount_uah == "16734.00"
    await points.refused(
        points.stub.RecordOrder(
            pb.RecordOrderRequest(
                request_id="s-2",
                order=order_pb2.Order(
                    order_id="o-unpriced",
                    partner_id="p-1",
                    lines=[order_pb2.OrderLine(product_code="B24-CLOUD", amount_uah="5994.00")],
                ),
            ),
            metadata=points.sales(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ORDER_LIST_PRICE_MISSING",
    )
