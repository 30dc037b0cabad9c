"""gRPC clients of the four backends, one small class each, as the cabinet's section reads.

Status and points answer all their sections in one snapshot call each. Every call carries
the timeout it is given (the cabinet's deadline), so a slow backend sees the deadline too,
and the person the view is for (``x-on-behalf-of``), so each backend shows personal data as
that person may see it (R-PD-01). Failures become :class:`BackendFailure` with the status name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from google.protobuf.descriptor import EnumDescriptor

from gateway_service.domain.cabinet import Section
from gateway_service.service_layer.ports import BackendFailure, SectionsRead
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import ledger_pb2, monitoring_pb2, point_request_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import employee_pb2, lead_pb2, partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.auth import on_behalf_of
from ppcore.grpc_errors import error_info, status_from_rpc_error

R = TypeVar("R")

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


# The status service's snapshot part behind each section it answers.
_STATUS_PARTS = {
    Section.PARTNER: status_pb.SNAPSHOT_PART_PARTNER,
    Section.CARD: status_pb.SNAPSHOT_PART_CARD,
    Section.STATUS: status_pb.SNAPSHOT_PART_STATUS,
    Section.AUTHORIZATION_LETTER: status_pb.SNAPSHOT_PART_AUTHORIZATION_LETTER,
    Section.DISCOUNT: status_pb.SNAPSHOT_PART_DISCOUNT,
    Section.EMPLOYEES: status_pb.SNAPSHOT_PART_EMPLOYEES,
    Section.COMPETENCIES: status_pb.SNAPSHOT_PART_COMPETENCIES,
    Section.LEADS: status_pb.SNAPSHOT_PART_LEADS,
}


class StatusClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = status_grpc.StatusServiceStub(channel)

    def view_read(self) -> SectionsRead:
        """Every section the status service answers, from one GetPartnerSnapshot call."""
        return SectionsRead(frozenset(_STATUS_PARTS), self.sections)

    async def sections(self, partner_id: str, wanted: frozenset[Section], deadline: float) -> Mapping[Section, object]:
        request = status_pb.GetPartnerSnapshotRequest(
            partner_id=partner_id,
            parts=sorted(_STATUS_PARTS[section] for section in wanted),
            discount_product_family=DISCOUNT_PRODUCT_FAMILY,
        )
        call = self.stub.GetPartnerSnapshot(request, timeout=deadline, metadata=on_behalf_of())
        got = await _call("status", call)
        every: dict[Section, object] = {
            Section.PARTNER: got.partner,
            Section.CARD: got.card,
            Section.STATUS: got.status,
            # R-PRT-05: no letter before the contract application is accepted: an answer.
            Section.AUTHORIZATION_LETTER: LetterOutcome(got.letter, "")
            if got.HasField("letter")
            else LetterOutcome(None, got.no_letter_reason or "NO_LETTER"),
            Section.DISCOUNT: got.discount,
            Section.EMPLOYEES: EmployeeRoster(list(got.employees)),
            Section.COMPETENCIES: list(got.competencies),
            Section.LEADS: LeadsOffered(count_by_state(got.leads, lead_pb2.LeadState.DESCRIPTOR)),
        }
        return {section: every[section] for section in wanted}


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


_POINTS_PARTS = {
    Section.POINTS: (points_pb.POINTS_SNAPSHOT_PART_TOTALS, points_pb.POINTS_SNAPSHOT_PART_POINT_REQUESTS),
    Section.PROJECTS: (points_pb.POINTS_SNAPSHOT_PART_PROJECTS,),
    Section.MONITORING: (points_pb.POINTS_SNAPSHOT_PART_MONITORING,),
}


class PointsClient:
    def __init__(self, channel: grpc.aio.Channel, *, within_days: int) -> None:
        self.stub = points_grpc.PointsServiceStub(channel)
        self.within_days = within_days

    def view_read(self) -> SectionsRead:
        """Every section the points service answers, from one GetPartnerPointsSnapshot call."""
        return SectionsRead(frozenset(_POINTS_PARTS), self.sections)

    async def sections(self, partner_id: str, wanted: frozenset[Section], deadline: float) -> Mapping[Section, object]:
        windows = sorted({self.within_days, 30, 90})
        request = points_pb.GetPartnerPointsSnapshotRequest(
            partner_id=partner_id,
            parts=sorted(part for section in wanted for part in _POINTS_PARTS[section]),
            expiring_within_days=windows,
        )
        call = self.stub.GetPartnerPointsSnapshot(request, timeout=deadline, metadata=on_behalf_of())
        got = await _call("points", call)
        answer: dict[Section, object] = {}
        if Section.POINTS in wanted:
            answer[Section.POINTS] = self._figures(got)
        if Section.PROJECTS in wanted:
            answer[Section.PROJECTS] = count_by_state(got.projects, project_pb2.ProjectState.DESCRIPTOR)
        if Section.MONITORING in wanted:
            answer[Section.MONITORING] = count_by_state(got.submissions, monitoring_pb2.MonitoringState.DESCRIPTOR)
        return answer

    def _figures(self, got: points_pb.GetPartnerPointsSnapshotResponse) -> PointsFigures:
        """R-CARD-04: the one active figure is the latest daily total (R-PTS-05), the one the
        status service decides on, with its date; then what expires in 30 and 90 days."""
        total = got.daily_total if got.HasField("daily_total") else None  # none computed yet: zero, no date
        by_window = {window.within_days: window for window in got.expiring}
        return PointsFigures(
            active_points=(total.total_points if total is not None else "") or "0",
            active_points_as_of_date=total.business_date if total is not None else "",
            expiring_points=by_window[self.within_days].total_points or "0",
            within_days=self.within_days,
            expiring_by_date=list(by_window[90].by_date),
            expiring_in_30_days=by_window[30].total_points or "0",
            expiring_in_90_days=by_window[90].total_points or "0",
            point_requests=count_by_state(got.point_requests, point_request_pb2.PointRequestState.DESCRIPTOR),
        )


@dataclass(frozen=True)
class NfrHoldings:
    grants: list[nfr_pb2.NfrGrant]
    cloud_nfr: nfr_pb2.CloudNfr | None


class LicensingClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = licensing_grpc.LicensingServiceStub(channel)

    async def holdings(self, partner_id: str, deadline_seconds: float) -> NfrHoldings:
        """The active keys and the cloud NFR (none: an answer, not a failure), in one call."""
        request = licensing_pb.GetPartnerNfrSnapshotRequest(partner_id=partner_id)
        call = self.stub.GetPartnerNfrSnapshot(request, timeout=deadline_seconds, metadata=on_behalf_of())
        got = await _call("licensing", call)
        return NfrHoldings(grants=list(got.grants), cloud_nfr=got.cloud_nfr if got.HasField("cloud_nfr") else None)


class ComplianceClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = compliance_grpc.ComplianceServiceStub(channel)

    async def active_sanctions(self, partner_id: str, deadline_seconds: float) -> list[sanction_pb2.Sanction]:
        request = compliance_pb.ListActiveSanctionsRequest(partner_id=partner_id, page_size=_SANCTIONS_PAGE_SIZE)
        return list(
            (
                await _call(
                    "compliance",
                    self.stub.ListActiveSanctions(request, timeout=deadline_seconds, metadata=on_behalf_of()),
                )
            ).sanctions
        )
