"""gRPC clients of the four backends, one small class each, as the cabinet's section reads.

Every call carries the timeout it is given (the cabinet's deadline), so a slow backend
sees the deadline too. Failures become :class:`BackendFailure` with the status name.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from google.protobuf.descriptor import EnumDescriptor

from gateway_service.service_layer.ports import BackendFailure
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import ledger_pb2, monitoring_pb2, point_request_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import card_pb2, employee_pb2, lead_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.grpc_errors import error_info, status_from_rpc_error

R = TypeVar("R")

# The cabinet shows NFR grants in use; one page holds every grant a partner can have.
_NFR_PAGE_SIZE = 100
_SANCTIONS_PAGE_SIZE = 200
# Lists in the view (projects, requests, submissions, employees, competencies): one page.
LIST_PAGE_SIZE = 200
# The view's discount is the one for the program's main product family (R-STS-06).
DISCOUNT_PRODUCT_FAMILY = "SITE_MANAGEMENT"


@dataclass(frozen=True)
class StateCounts:
    """Items of one list with how many are in each state (enum names, in enum order)."""

    items: list[Any]
    by_state: list[tuple[str, int]]


def count_by_state(items: Sequence[Any], enum: EnumDescriptor) -> StateCounts:
    counts = Counter(int(item.state) for item in items)
    return StateCounts(
        items=list(items), by_state=[(v.name, counts[v.number]) for v in enum.values if counts[v.number]]
    )


@dataclass(frozen=True)
class LetterOutcome:
    letter: partner_pb2.AuthorizationLetter | None
    no_letter_reason: str = ""


@dataclass(frozen=True)
class LeadsOffered:
    leads: StateCounts


@dataclass(frozen=True)
class EmployeeRoster:
    employees: list[employee_pb2.Employee]

    @property
    def certified_count(self) -> int:
        """R-EMP-06: attached logins holding at least one course certificate."""
        return sum(1 for employee in self.employees if employee.course_codes)


async def _call(backend: str, call: Awaitable[R]) -> R:
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        status = status_from_rpc_error(error)
        info = error_info(status) if status is not None else None
        reason = info.reason if info is not None else ""
        raise BackendFailure(backend, error.code().name, error.details() or "", reason) from error


class StatusClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = status_grpc.StatusServiceStub(channel)

    async def status(self, partner_id: str, deadline_seconds: float) -> status_pb2.PartnerStatus:
        request = status_pb.GetPartnerStatusRequest(partner_id=partner_id)
        return (await _call("status", self.stub.GetPartnerStatus(request, timeout=deadline_seconds))).status

    async def card(self, partner_id: str, deadline_seconds: float) -> card_pb2.PartnerCard:
        request = status_pb.GetPartnerCardRequest(partner_id=partner_id)
        return (await _call("status", self.stub.GetPartnerCard(request, timeout=deadline_seconds))).card

    async def partner(self, partner_id: str, deadline_seconds: float) -> partner_pb2.Partner:
        request = status_pb.GetPartnerRequest(partner_id=partner_id)
        return (await _call("status", self.stub.GetPartner(request, timeout=deadline_seconds))).partner

    async def letter(self, partner_id: str, deadline_seconds: float) -> LetterOutcome:
        request = status_pb.GetAuthorizationLetterRequest(partner_id=partner_id)
        try:
            reply = await _call("status", self.stub.GetAuthorizationLetter(request, timeout=deadline_seconds))
        except BackendFailure as failure:
            if failure.code == grpc.StatusCode.FAILED_PRECONDITION.name:
                # R-PRT-05: no letter before the contract application is accepted: an answer.
                return LetterOutcome(None, failure.reason or failure.code)
            raise
        return LetterOutcome(reply.letter)

    async def discount(self, partner_id: str, deadline_seconds: float) -> status_pb.CheckDiscountEntitlementResponse:
        request = status_pb.CheckDiscountEntitlementRequest(
            partner_id=partner_id, product_family=DISCOUNT_PRODUCT_FAMILY
        )
        return await _call("status", self.stub.CheckDiscountEntitlement(request, timeout=deadline_seconds))

    async def leads(self, partner_id: str, deadline_seconds: float) -> LeadsOffered:
        request = status_pb.ListLeadsRequest(partner_id=partner_id, page_size=LIST_PAGE_SIZE)
        reply = await _call("status", self.stub.ListLeads(request, timeout=deadline_seconds))
        return LeadsOffered(count_by_state(reply.leads, lead_pb2.LeadState.DESCRIPTOR))

    async def employees(self, partner_id: str, deadline_seconds: float) -> EmployeeRoster:
        request = status_pb.ListEmployeesRequest(partner_id=partner_id, page_size=LIST_PAGE_SIZE)
        reply = await _call("status", self.stub.ListEmployees(request, timeout=deadline_seconds))
        return EmployeeRoster(list(reply.employees))

    async def competencies(self, partner_id: str, deadline_seconds: float) -> list[status_pb2.Competency]:
        request = status_pb.ListCompetenciesRequest(partner_id=partner_id, page_size=LIST_PAGE_SIZE)
        return list((await _call("status", self.stub.ListCompetencies(request, timeout=deadline_seconds))).competencies)


@dataclass(frozen=True)
class PointsFigures:
    active_points: str
    expiring_points: str
    within_days: int
    expiring_by_date: list[ledger_pb2.ExpiringOnDate] = field(default_factory=list)
    active_points_as_of_date: str = ""
    expiring_in_30_days: str = "0"
    expiring_in_90_days: str = "0"
    point_requests: StateCounts | None = None


class PointsClient:
    def __init__(self, channel: grpc.aio.Channel, *, within_days: int) -> None:
        self.stub = points_grpc.PointsServiceStub(channel)
        self.within_days = within_days

    async def _expiring(self, partner_id: str, days: int, deadline: float) -> points_pb.GetExpiringPointsResponse:
        request = points_pb.GetExpiringPointsRequest(partner_id=partner_id, within_days=days)
        return await _call("points", self.stub.GetExpiringPoints(request, timeout=deadline))

    async def _daily_total(self, partner_id: str, deadline: float) -> ledger_pb2.DailyTotal | None:
        request = points_pb.GetDailyTotalRequest(partner_id=partner_id)
        try:
            return (await _call("points", self.stub.GetDailyTotal(request, timeout=deadline))).daily_total
        except BackendFailure as failure:
            if failure.code == grpc.StatusCode.NOT_FOUND.name:
                return None  # no daily total computed yet: zero points, no as-of date
            raise

    async def _point_requests(self, partner_id: str, deadline: float) -> StateCounts:
        request = points_pb.ListPointRequestsRequest(partner_id=partner_id, page_size=LIST_PAGE_SIZE)
        reply = await _call("points", self.stub.ListPointRequests(request, timeout=deadline))
        return count_by_state(reply.point_requests, point_request_pb2.PointRequestState.DESCRIPTOR)

    async def figures(self, partner_id: str, deadline_seconds: float) -> PointsFigures:
        """R-CARD-04: the one active figure is the latest daily total (R-PTS-05), the one the
        status service decides on, with its date; then what expires in 30 and 90 days."""
        windows = sorted({self.within_days, 30, 90})
        # One gather, so a cancelled view cancels every call and the first failure is the section's.
        answers: list[Any] = await asyncio.gather(
            self._daily_total(partner_id, deadline_seconds),
            self._point_requests(partner_id, deadline_seconds),
            *(self._expiring(partner_id, days, deadline_seconds) for days in windows),
        )
        total: ledger_pb2.DailyTotal | None = answers[0]
        requests: StateCounts = answers[1]
        expiring: list[points_pb.GetExpiringPointsResponse] = answers[2:]
        by_window = dict(zip(windows, expiring, strict=True))
        return PointsFigures(
            active_points=(total.total_points if total is not None else "") or "0",
            active_points_as_of_date=total.business_date if total is not None else "",
            expiring_points=by_window[self.within_days].total_points or "0",
            within_days=self.within_days,
            expiring_by_date=list(by_window[90].by_date),
            expiring_in_30_days=by_window[30].total_points or "0",
            expiring_in_90_days=by_window[90].total_points or "0",
            point_requests=requests,
        )

    async def projects(self, partner_id: str, deadline_seconds: float) -> StateCounts:
        request = points_pb.ListProjectsRequest(partner_id=partner_id, page_size=LIST_PAGE_SIZE)
        reply = await _call("points", self.stub.ListProjects(request, timeout=deadline_seconds))
        return count_by_state(reply.projects, project_pb2.ProjectState.DESCRIPTOR)

    async def monitoring(self, partner_id: str, deadline_seconds: float) -> StateCounts:
        request = points_pb.ListMonitoringSubmissionsRequest(partner_id=partner_id, page_size=LIST_PAGE_SIZE)
        reply = await _call("points", self.stub.ListMonitoringSubmissions(request, timeout=deadline_seconds))
        return count_by_state(reply.submissions, monitoring_pb2.MonitoringState.DESCRIPTOR)


@dataclass(frozen=True)
class NfrHoldings:
    grants: list[nfr_pb2.NfrGrant]
    cloud_nfr: nfr_pb2.CloudNfr | None


class LicensingClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = licensing_grpc.LicensingServiceStub(channel)

    async def holdings(self, partner_id: str, deadline_seconds: float) -> NfrHoldings:
        keys, cloud = await asyncio.gather(
            _call(
                "licensing",
                self.stub.ListPartnerKeys(
                    licensing_pb.ListPartnerKeysRequest(partner_id=partner_id, page_size=_NFR_PAGE_SIZE),
                    timeout=deadline_seconds,
                ),
            ),
            self._cloud(partner_id, deadline_seconds),
        )
        return NfrHoldings(grants=list(keys.grants), cloud_nfr=cloud)

    async def _cloud(self, partner_id: str, deadline_seconds: float) -> nfr_pb2.CloudNfr | None:
        try:
            response = await _call(
                "licensing",
                self.stub.GetCloudNfr(licensing_pb.GetCloudNfrRequest(partner_id=partner_id), timeout=deadline_seconds),
            )
        except BackendFailure as failure:
            if failure.code == grpc.StatusCode.NOT_FOUND.name:
                return None  # the partner has no cloud NFR: an answer, not a failure
            raise
        return response.cloud_nfr


class ComplianceClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = compliance_grpc.ComplianceServiceStub(channel)

    async def active_sanctions(self, partner_id: str, deadline_seconds: float) -> list[sanction_pb2.Sanction]:
        request = compliance_pb.ListActiveSanctionsRequest(partner_id=partner_id, page_size=_SANCTIONS_PAGE_SIZE)
        return list(
            (await _call("compliance", self.stub.ListActiveSanctions(request, timeout=deadline_seconds))).sanctions
        )
