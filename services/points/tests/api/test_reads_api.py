"""The points service's reads over real gRPC: orders, projects, monitoring submissions,
point requests and expiring points, each scoped to its partner (R-PTS-01..06, R-PRJ-01, R-QM-02)."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.points.v1 import monitoring_pb2 as mon
from partnerprogram.points.v1 import order_pb2, point_request_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def _order(order_id: str, partner: str) -> order_pb2.Order:
    at = Timestamp()
    at.FromDatetime(datetime(2026, 3, 1, 10, tzinfo=UTC))
    line = order_pb2.OrderLine(
        product_code="SM-STD-RENEW", edition_code="SM_STANDARD", amount_uah="17900.00", renewal=True
    )
    return order_pb2.Order(order_id=order_id, partner_id=partner, order_time=at, lines=[line])


async def test_an_order_reads_back_and_its_points_expire_a_year_after_accrual(points):
    """R-PTS-02/04: a recorded order reads back with its points; they show as expiring on the
    anniversary of the accrual, within a window that reaches it and not in a shorter one."""
    await points.approve_partners("p-1", "p-2")
    recorded = await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="o1", order=_order("o-1", "p-1")), metadata=points.sales()
    )
    got = await points.stub.GetOrder(pb.GetOrderRequest(order_id="o-1"), metadata=points.sales())
    assert (got.order.order_id, got.order.points, got.order.amount_uah) == ("o-1", recorded.order.points, "17900.00")
    await points.refused(
        points.stub.GetOrder(pb.GetOrderRequest(order_id="o-404"), metadata=points.staff()),
        grpc.StatusCode.NOT_FOUND,
        "",
    )

    year = await points.stub.GetExpiringPoints(
        pb.GetExpiringPointsRequest(partner_id="p-1", within_days=365), metadata=points.partner("p-1")
    )
    assert year.total_points == recorded.order.points
    assert [(d.expire_date, d.points) for d in year.by_date] == [("2027-03-01", recorded.order.points)]
    month = await points.stub.GetExpiringPoints(
        pb.GetExpiringPointsRequest(partner_id="p-1", within_days=30), metadata=points.partner("p-1")
    )
    assert month.total_points in ("0", "0.00") and list(month.by_date) == []


async def test_projects_read_back_and_list_by_partner_and_state(points):
    """R-PRJ-01: a partner sees its projects (one by id, all by state); another partner does not."""
    await points.approve_partners("p-1", "p-2")
    first = await points.stub.SubmitProject(
        pb.SubmitProjectRequest(
            request_id="s1", partner_id="p-1", site_url="https://one.example.com", license_key="KEY-STANDARD-1"
        ),
        metadata=points.partner("p-1"),
    )
    second = await points.stub.SubmitProject(
        pb.SubmitProjectRequest(
            request_id="s2", partner_id="p-1", site_url="https://two.example.com", license_key="KEY-STANDARD-2"
        ),
        metadata=points.partner("p-1"),
    )
    await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="a1", project_id=second.project.project_id), metadata=points.staff()
    )
    got = await points.stub.GetProject(
        pb.GetProjectRequest(project_id=first.project.project_id), metadata=points.partner("p-1")
    )
    assert (got.project.site_key, got.project.state) == ("one.example.com", project_pb2.PROJECT_STATE_UNDER_REVIEW)
    await points.refused(
        points.stub.GetProject(
            pb.GetProjectRequest(project_id=first.project.project_id), metadata=points.partner("p-2")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "",
    )
    approved = await points.stub.ListProjects(
        pb.ListProjectsRequest(partner_id="p-1", state=project_pb2.PROJECT_STATE_APPROVED),
        metadata=points.partner("p-1"),
    )
    assert [p.project_id for p in approved.projects] == [second.project.project_id]
    page = await points.stub.ListProjects(
        pb.ListProjectsRequest(partner_id="p-1", page_size=1), metadata=points.staff()
    )
    rest = await points.stub.ListProjects(
        pb.ListProjectsRequest(partner_id="p-1", page_size=1, page_token=page.next_page_token), metadata=points.staff()
    )
    assert {page.projects[0].project_id, rest.projects[0].project_id} == {
        first.project.project_id,
        second.project.project_id,
    }
    none = await points.stub.ListProjects(pb.ListProjectsRequest(partner_id="p-2"), metadata=points.partner("p-2"))
    assert list(none.projects) == []


async def test_monitoring_submissions_and_point_requests_list_by_state(points):
    """R-QM-02: a submission waiting for the client survey lists as AWAITING_SURVEY;
    R-PTS-03: a point request reads back and lists as PENDING until staff decide it."""
    await points.approve_partners("p-1")
    submission = await points.stub.SubmitMonitoringResults(
        pb.SubmitMonitoringResultsRequest(
            request_id="qm1",
            partner_id="p-1",
            site_url="qm.example.com",
            license_key="KEY-BUSINESS-1",
            client_contact=mon.ClientContact(name="Olena Client", phone="+380501112233", email="olena@client.ua"),
            test_results=[mon.TestResult(test_code="SPEED", mandatory=True, outcome=mon.TEST_OUTCOME_PASSED)],
        ),
        metadata=points.partner("p-1"),
    )
    awaiting = await points.stub.ListMonitoringSubmissions(
        pb.ListMonitoringSubmissionsRequest(partner_id="p-1", state=mon.MONITORING_STATE_AWAITING_SURVEY),
        metadata=points.partner("p-1"),
    )
    assert [s.submission_id for s in awaiting.submissions] == [submission.submission.submission_id]
    completed = await points.stub.ListMonitoringSubmissions(
        pb.ListMonitoringSubmissionsRequest(partner_id="p-1", state=mon.MONITORING_STATE_COMPLETED),
        metadata=points.partner("p-1"),
    )
    assert list(completed.submissions) == []

    submitted = await points.stub.SubmitPointRequest(
        pb.SubmitPointRequestRequest(
            request_id="q1",
            partner_id="p-1",
            category="MARKETING_ACTIVITY",
            requested_points="20",
            evidence_description="webinar for 300 clients",
        ),
        metadata=points.partner("p-1"),
    )
    request_id = submitted.point_request.point_request_id
    got = await points.stub.GetPointRequest(
        pb.GetPointRequestRequest(point_request_id=request_id), metadata=points.partner("p-1")
    )
    assert got.point_request.state == point_request_pb2.POINT_REQUEST_STATE_PENDING
    pending = await points.stub.ListPointRequests(
        pb.ListPointRequestsRequest(partner_id="p-1", state=point_request_pb2.POINT_REQUEST_STATE_PENDING),
        metadata=points.staff(),
    )
    assert [r.point_request_id for r in pending.point_requests] == [request_id]
    await points.stub.DecidePointRequest(
        pb.DecidePointRequestRequest(request_id="d1", point_request_id=request_id, granted_points="20"),
        metadata=points.staff(),
    )
    granted = await points.stub.ListPointRequests(
        pb.ListPointRequestsRequest(partner_id="p-1", state=point_request_pb2.POINT_REQUEST_STATE_GRANTED),
        metadata=points.partner("p-1"),
    )
    assert [r.point_request_id for r in granted.point_requests] == [request_id]


async def test_the_partner_view_snapshot_equals_each_reads_own_answer(points):
    """R-CARD-04: GetPartnerPointsSnapshot gives in one call what the view's reads give one by
    one: expiring points per window, point requests, projects and monitoring submissions; no
    daily total computed yet leaves it unset; only the parts asked for; unknown partner NOT_FOUND."""
    await points.approve_partners("p-1")
    await points.stub.RecordOrder(
        pb.RecordOrderRequest(request_id="o1", order=_order("o-1", "p-1")), metadata=points.sales()
    )
    await points.stub.SubmitProject(
        pb.SubmitProjectRequest(
            request_id="s1", partner_id="p-1", site_url="https://one.example.com", license_key="KEY-STANDARD-1"
        ),
        metadata=points.partner("p-1"),
    )
    system = points.system()
    got = await points.stub.GetPartnerPointsSnapshot(
        pb.GetPartnerPointsSnapshotRequest(partner_id="p-1", expiring_within_days=[30, 365]), metadata=system
    )
    for window in got.expiring:
        alone = await points.stub.GetExpiringPoints(
            pb.GetExpiringPointsRequest(partner_id="p-1", within_days=window.within_days), metadata=system
        )
        assert (window.total_points, list(window.by_date)) == (alone.total_points, list(alone.by_date))
    assert [w.within_days for w in got.expiring] == [30, 365] and got.expiring[1].by_date
    projects = await points.stub.ListProjects(pb.ListProjectsRequest(partner_id="p-1", page_size=200), metadata=system)
    assert list(got.projects) == list(projects.projects) and len(got.projects) == 1
    requests = await points.stub.ListPointRequests(
        pb.ListPointRequestsRequest(partner_id="p-1", page_size=200), metadata=system
    )
    assert list(got.point_requests) == list(requests.point_requests)
    submissions = await points.stub.ListMonitoringSubmissions(
        pb.ListMonitoringSubmissionsRequest(partner_id="p-1", page_size=200), metadata=system
    )
    assert list(got.submissions) == list(submissions.submissions)
    assert not got.HasField("daily_total")  # R-PTS-05: no daily total computed yet

    only_projects = await points.stub.GetPartnerPointsSnapshot(
        pb.GetPartnerPointsSnapshotRequest(partner_id="p-1", parts=[pb.POINTS_SNAPSHOT_PART_PROJECTS]),
        metadata=system,
    )
    assert len(only_projects.projects) == 1 and not only_projects.expiring
    await points.refused(
        points.stub.GetPartnerPointsSnapshot(
            pb.GetPartnerPointsSnapshotRequest(partner_id="p-404", expiring_within_days=[30]), metadata=system
        ),
        grpc.StatusCode.NOT_FOUND,
        "",
    )
    await points.refused(
        points.stub.GetPartnerPointsSnapshot(
            pb.GetPartnerPointsSnapshotRequest(partner_id="p-1"), metadata=points.partner("p-1")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "",
    )
