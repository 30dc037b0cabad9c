"""PointsService over gRPC: request -> use case -> response. Writes go through run_idempotent;
refusals are domain errors, mapped to status codes centrally by ppcore.server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from google.protobuf.message import Message

from partnerprogram.points.v1 import points_service_pb2 as pb
from points_service.adapters.active_total_reader import ActiveTotalReader
from points_service.adapters.ledger_repository import LedgerFilter
from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.monitoring import MonitoringSubmission
from points_service.domain.projects import Project
from points_service.domain.requests import Evidence, PointRequest
from points_service.entrypoints import mapping as m
from points_service.service_layer import (
    daily_totals,
    ledger,
    main_accruals,
    monitoring,
    orders,
    point_requests,
    projects,
)
from points_service.service_layer.ports import KeyRegistry
from ppcore.auth import CallerKind, current_caller, current_viewer, require_partner_scope
from ppcore.clock import Clock
from ppcore.errors import InvalidArgument, NotFound, not_found
from ppcore.idempotency import run_idempotent
from ppcore.policy import ProgramPolicy

R = TypeVar("R", bound=Message)
_ALL_PARTS = frozenset(v for v in pb.PointsSnapshotPart.values() if v != pb.POINTS_SNAPSHOT_PART_UNSPECIFIED)
# The snapshot's lists hold one page of their List RPCs (the view shows one page).
_SNAPSHOT_LIST = 200
Ctx = Any  # grpc.aio.ServicerContext; the servicer never aborts itself


def _scoped_partner(partner_id: str) -> str:
    """The partner a request is about: a partner user's own when it names none; never another's."""
    caller = current_caller()
    if caller.kind is CallerKind.PARTNER_USER and not partner_id:
        return caller.partner_id or ""
    require_partner_scope(caller, partner_id)
    return partner_id


def _decider(named: str) -> str:
    return named.strip() or current_caller().subject


async def _project_out(uow: PointsUnitOfWork, project: Project) -> Any:
    points = None
    if project.ledger_entry_id is not None:
        entry = await uow.ledger.get(project.ledger_entry_id)
        points = entry.amount if entry is not None else None
    return m.project_pb(project, points)


async def _point_requests_out(uow: PointsUnitOfWork, found: Sequence[PointRequest]) -> list[Any]:
    return [m.point_request_pb(r, await point_requests.accrued_points(uow, r)) for r in found]


async def _submissions_out(uow: PointsUnitOfWork, found: Sequence[MonitoringSubmission]) -> list[Any]:
    return [m.submission_pb(s, await monitoring.points_of(uow, s), current_viewer()) for s in found]


class PointsServicer:
    def __init__(
        self,
        uow_factory: Callable[[], PointsUnitOfWork],
        *,
        clock: Clock,
        policy: ProgramPolicy,
        keys: KeyRegistry,
        active_totals: ActiveTotalReader,
    ) -> None:
        self._uow = uow_factory
        self._active_totals = active_totals
        self._clock = clock
        self._policy = policy
        self._keys = keys

    def _now(self) -> datetime:
        return self._clock.now()

    async def _write(
        self, method: str, request: Message, response_type: type[R], work: Callable[[PointsUnitOfWork], Awaitable[R]]
    ) -> R:
        return await run_idempotent(self._uow, method, request, response_type, work)

    # --- ledger --------------------------------------------------------------------------
    async def ListLedgerEntries(
        self, request: pb.ListLedgerEntriesRequest, context: Ctx
    ) -> pb.ListLedgerEntriesResponse:
        selection = LedgerFilter(
            partner_id=_scoped_partner(request.partner_id),
            kind=m.point_kind_of(request.kind),
            source_type=m.source_type_of(request.source_type),
            accrued_from=m.instant_of(request.accrued_from_time, request.HasField("accrued_from_time")),
            accrued_to=m.instant_of(request.accrued_to_time, request.HasField("accrued_to_time")),
        )
        async with self._uow() as uow:
            entries, token = await ledger.list_entries(uow, selection, request.page_size, request.page_token)
        return pb.ListLedgerEntriesResponse(entries=[m.ledger_entry_pb(e) for e in entries], next_page_token=token)

    async def GetActiveTotal(self, request: pb.GetActiveTotalRequest, context: Ctx) -> pb.GetActiveTotalResponse:
        partner_id = _scoped_partner(request.partner_id)
        at = m.instant_of(request.as_of_time, request.HasField("as_of_time")) or self._now()
        total = await ledger.active_total(self._active_totals, self._uow, partner_id, at)
        return pb.GetActiveTotalResponse(partner_id=partner_id, total_points=str(total), as_of_time=m.timestamp(at))

    async def GetDailyTotal(self, request: pb.GetDailyTotalRequest, context: Ctx) -> pb.GetDailyTotalResponse:
        partner_id = _scoped_partner(request.partner_id)
        day = m.date_of(request.business_date, "business_date")
        async with self._uow() as uow:
            stored = await daily_totals.daily_total(uow, partner_id, day)
        return pb.GetDailyTotalResponse(daily_total=m.daily_total_pb(stored))

    async def GetExpiringPoints(
        self, request: pb.GetExpiringPointsRequest, context: Ctx
    ) -> pb.GetExpiringPointsResponse:
        partner_id = _scoped_partner(request.partner_id)
        async with self._uow() as uow:
            expiring = await ledger.expiring_points(uow, partner_id, self._now(), request.within_days)
        window = m.expiring_window_pb(request.within_days, expiring)
        return pb.GetExpiringPointsResponse(total_points=window.total_points, by_date=window.by_date)

    async def GetPartnerPointsSnapshot(
        self, request: pb.GetPartnerPointsSnapshotRequest, context: Ctx
    ) -> pb.GetPartnerPointsSnapshotResponse:
        """The partner view's parts in one call (R-CARD-04), each as its own RPC gives it."""
        if not request.partner_id:
            raise InvalidArgument.for_field("partner_id", "is required")
        partner_id = request.partner_id
        parts = frozenset(request.parts) or _ALL_PARTS
        out = pb.GetPartnerPointsSnapshotResponse()
        async with self._uow() as uow:
            if pb.POINTS_SNAPSHOT_PART_TOTALS in parts:
                windows = list(request.expiring_within_days)
                expiring = await ledger.expiring_in_windows(uow, partner_id, self._now(), windows)
                out.expiring.extend(m.expiring_window_pb(days, e) for days, e in zip(windows, expiring, strict=True))
                try:
                    out.daily_total.CopyFrom(m.daily_total_pb(await daily_totals.daily_total(uow, partner_id, None)))
                except NotFound:
                    pass  # no daily total computed yet: the field stays unset (the partner is known)
            if pb.POINTS_SNAPSHOT_PART_POINT_REQUESTS in parts:
                found_requests, _ = await point_requests.list_requests(
                    uow, partner_id=partner_id, state=None, page_size=_SNAPSHOT_LIST, page_token=""
                )
                out.point_requests.extend(await _point_requests_out(uow, found_requests))
            if pb.POINTS_SNAPSHOT_PART_PROJECTS in parts:
                found_projects, _ = await projects.list_projects(
                    uow, partner_id=partner_id, state=None, page_size=_SNAPSHOT_LIST, page_token=""
                )
                out.projects.extend([await _project_out(uow, p) for p in found_projects])
            if pb.POINTS_SNAPSHOT_PART_MONITORING in parts:
                found_submissions, _ = await monitoring.list_submissions(
                    uow, partner_id=partner_id, state=None, page_size=_SNAPSHOT_LIST, page_token=""
                )
                out.submissions.extend(await _submissions_out(uow, found_submissions))
        return out

    async def GetLifetimePoints(
        self, request: pb.GetLifetimePointsRequest, context: Ctx
    ) -> pb.GetLifetimePointsResponse:
        partner_id = _scoped_partner(request.partner_id)
        async with self._uow() as uow:
            lifetime = await ledger.lifetime_points(uow, partner_id)
        return pb.GetLifetimePointsResponse(lifetime_points=str(lifetime))

    async def ReverseLedgerEntry(
        self, request: pb.ReverseLedgerEntryRequest, context: Ctx
    ) -> pb.ReverseLedgerEntryResponse:
        async def work(uow: PointsUnitOfWork) -> pb.ReverseLedgerEntryResponse:
            reversal = await ledger.reverse_entry(
                uow,
                request.entry_id,
                reason=request.reason,
                decided_by=_decider(request.decided_by),
                now=self._now(),
                policy=self._policy,
            )
            return pb.ReverseLedgerEntryResponse(reversal=m.ledger_entry_pb(reversal))

        return await self._write("ReverseLedgerEntry", request, pb.ReverseLedgerEntryResponse, work)

    # --- orders --------------------------------------------------------------------------
    async def RecordOrder(self, request: pb.RecordOrderRequest, context: Ctx) -> pb.RecordOrderResponse:
        order = request.order

        async def work(uow: PointsUnitOfWork) -> pb.RecordOrderResponse:
            recorded, entries = await orders.record_order(
                uow,
                order_id=order.order_id,
                partner_id=order.partner_id,
                lines=m.order_lines_of(order),
                ordered_at=m.instant_of(order.order_time, order.HasField("order_time")),
                now=self._now(),
                policy=self._policy,
            )
            points = sum((e.amount for e in entries), Decimal("0.00"))
            return pb.RecordOrderResponse(
                order=m.order_pb(recorded, points), entries=[m.ledger_entry_pb(e) for e in entries]
            )

        return await self._write("RecordOrder", request, pb.RecordOrderResponse, work)

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: Ctx) -> pb.CancelOrderResponse:
        async def work(uow: PointsUnitOfWork) -> pb.CancelOrderResponse:
            cancelled, reversals = await orders.cancel_order(
                uow, request.order_id, reason=request.reason, now=self._now(), policy=self._policy
            )
            points = await orders.order_points_net(uow, cancelled.order_id) + sum(
                (r.amount for r in reversals), Decimal("0.00")
            )
            return pb.CancelOrderResponse(
                order=m.order_pb(cancelled, points), reversals=[m.ledger_entry_pb(r) for r in reversals]
            )

        return await self._write("CancelOrder", request, pb.CancelOrderResponse, work)

    async def GetOrder(self, request: pb.GetOrderRequest, context: Ctx) -> pb.GetOrderResponse:
        async with self._uow() as uow:
            order = await uow.orders.get(request.order_id)
            if order is None:
                raise not_found("order", request.order_id)
            points = await orders.order_points_net(uow, order.order_id)
        return pb.GetOrderResponse(order=m.order_pb(order, points))

    async def GetSalesVolume(self, request: pb.GetSalesVolumeRequest, context: Ctx) -> pb.GetSalesVolumeResponse:
        start = m.date_of(request.start_date, "start_date")
        end = m.date_of(request.end_date, "end_date")
        if start is None or end is None:
            from ppcore.errors import InvalidArgument

            raise InvalidArgument.for_field("start_date" if start is None else "end_date", "is required")
        async with self._uow() as uow:
            paid, sales, count = await orders.sales_volume(uow, request.partner_id, start, end)
        return pb.GetSalesVolumeResponse(amount_uah=str(paid), sales_uah=str(sales), order_count=count)

    # --- projects ------------------------------------------------------------------------
    async def _own_project(self, uow: PointsUnitOfWork, project_id: str) -> Project:
        project = await projects.get(uow, project_id)
        require_partner_scope(current_caller(), project.partner_id)
        return project

    async def GetProject(self, request: pb.GetProjectRequest, context: Ctx) -> pb.GetProjectResponse:
        async with self._uow() as uow:
            project = await self._own_project(uow, request.project_id)
            return pb.GetProjectResponse(project=await _project_out(uow, project))

    async def ListProjects(self, request: pb.ListProjectsRequest, context: Ctx) -> pb.ListProjectsResponse:
        partner_id = _scoped_partner(request.partner_id)
        async with self._uow() as uow:
            found, token = await projects.list_projects(
                uow,
                partner_id=partner_id or None,
                state=m.project_state_of(request.state),
                page_size=request.page_size,
                page_token=request.page_token,
            )
            return pb.ListProjectsResponse(projects=[await _project_out(uow, p) for p in found], next_page_token=token)

    async def SubmitProject(self, request: pb.SubmitProjectRequest, context: Ctx) -> pb.SubmitProjectResponse:
        partner_id = _scoped_partner(request.partner_id)

        async def work(uow: PointsUnitOfWork) -> pb.SubmitProjectResponse:
            project = await projects.submit(
                uow, m.project_draft_of(request, partner_id), keys=self._keys, now=self._now(), policy=self._policy
            )
            return pb.SubmitProjectResponse(project=m.project_pb(project))

        return await self._write("SubmitProject", request, pb.SubmitProjectResponse, work)

    async def UpdateProject(self, request: pb.UpdateProjectRequest, context: Ctx) -> pb.UpdateProjectResponse:
        async def work(uow: PointsUnitOfWork) -> pb.UpdateProjectResponse:
            await self._own_project(uow, request.project_id)
            project = await projects.edit(
                uow,
                request.project_id,
                title=request.title if request.HasField("title") else None,
                description=request.description if request.HasField("description") else None,
                publish_on_site=request.publish_on_site if request.HasField("publish_on_site") else None,
            )
            return pb.UpdateProjectResponse(project=await _project_out(uow, project))

        return await self._write("UpdateProject", request, pb.UpdateProjectResponse, work)

    async def ApproveProject(self, request: pb.ApproveProjectRequest, context: Ctx) -> pb.ApproveProjectResponse:
        async def work(uow: PointsUnitOfWork) -> pb.ApproveProjectResponse:
            project, entries = await projects.approve(
                uow,
                request.project_id,
                decided_by=_decider(request.decided_by),
                note=request.note,
                template_design=request.template_design if request.HasField("template_design") else None,
                contract_holder_partner_id=request.contract_holder_partner_id or None,
                now=self._now(),
                policy=self._policy,
            )
            return pb.ApproveProjectResponse(
                project=m.project_pb(project, entries[0].amount), entries=[m.ledger_entry_pb(e) for e in entries]
            )

        return await self._write("ApproveProject", request, pb.ApproveProjectResponse, work)

    async def RejectProject(self, request: pb.RejectProjectRequest, context: Ctx) -> pb.RejectProjectResponse:
        async def work(uow: PointsUnitOfWork) -> pb.RejectProjectResponse:
            project = await projects.reject(
                uow,
                request.project_id,
                decided_by=_decider(request.decided_by),
                note=request.moderator_note,
                now=self._now(),
            )
            return pb.RejectProjectResponse(project=m.project_pb(project))

        return await self._write("RejectProject", request, pb.RejectProjectResponse, work)

    async def ResubmitProject(self, request: pb.ResubmitProjectRequest, context: Ctx) -> pb.ResubmitProjectResponse:
        async def work(uow: PointsUnitOfWork) -> pb.ResubmitProjectResponse:
            own = await self._own_project(uow, request.project_id)
            project = await projects.resubmit(
                uow,
                request.project_id,
                m.project_draft_of(request, own.partner_id),
                keys=self._keys,
                now=self._now(),
                policy=self._policy,
            )
            return pb.ResubmitProjectResponse(project=m.project_pb(project))

        return await self._write("ResubmitProject", request, pb.ResubmitProjectResponse, work)

    async def ListOverdueProjects(
        self, request: pb.ListOverdueProjectsRequest, context: Ctx
    ) -> pb.ListOverdueProjectsResponse:
        async with self._uow() as uow:
            found, token = await projects.overdue(
                uow, now=self._now(), page_size=request.page_size, page_token=request.page_token
            )
            return pb.ListOverdueProjectsResponse(
                projects=[await _project_out(uow, p) for p in found], next_page_token=token
            )

    async def ListProjectDisputes(
        self, request: pb.ListProjectDisputesRequest, context: Ctx
    ) -> pb.ListProjectDisputesResponse:
        async with self._uow() as uow:
            found, token = await projects.list_disputes(
                uow,
                state=m.dispute_state_of(request.state),
                page_size=request.page_size,
                page_token=request.page_token,
            )
            out = [m.dispute_pb(d, await uow.projects.in_dispute(d.dispute_id)) for d in found]
        return pb.ListProjectDisputesResponse(disputes=out, next_page_token=token)

    async def DecideProjectDispute(
        self, request: pb.DecideProjectDisputeRequest, context: Ctx
    ) -> pb.DecideProjectDisputeResponse:
        async def work(uow: PointsUnitOfWork) -> pb.DecideProjectDisputeResponse:
            dispute, claims, entries = await projects.decide_dispute(
                uow,
                request.dispute_id,
                contract_holder_partner_id=request.contract_holder_partner_id,
                evidence=request.evidence,
                # R-PRJ-08: the decision is recorded with the staff member who made it: the caller.
                decided_by=current_caller().subject,
                now=self._now(),
                policy=self._policy,
            )
            return pb.DecideProjectDisputeResponse(
                dispute=m.dispute_pb(dispute, claims), entries=[m.ledger_entry_pb(e) for e in entries]
            )

        return await self._write("DecideProjectDispute", request, pb.DecideProjectDisputeResponse, work)

    async def DeclareSiteAlias(self, request: pb.DeclareSiteAliasRequest, context: Ctx) -> pb.DeclareSiteAliasResponse:
        async def work(uow: PointsUnitOfWork) -> pb.DeclareSiteAliasResponse:
            alias = await projects.declare_site_alias(
                uow,
                alias_url=request.alias_url,
                site_url=request.site_url,
                note=request.note,
                declared_by=current_caller().subject,
                now=self._now(),
            )
            return pb.DeclareSiteAliasResponse(alias=m.site_alias_pb(alias))

        return await self._write("DeclareSiteAlias", request, pb.DeclareSiteAliasResponse, work)

    async def ListSiteAliases(self, request: pb.ListSiteAliasesRequest, context: Ctx) -> pb.ListSiteAliasesResponse:
        async with self._uow() as uow:
            found, token = await projects.list_site_aliases(
                uow, page_size=request.page_size, page_token=request.page_token
            )
        return pb.ListSiteAliasesResponse(aliases=[m.site_alias_pb(a) for a in found], next_page_token=token)

    # --- quality monitoring --------------------------------------------------------------
    async def GetMonitoringSubmission(
        self, request: pb.GetMonitoringSubmissionRequest, context: Ctx
    ) -> pb.GetMonitoringSubmissionResponse:
        async with self._uow() as uow:
            submission = await monitoring.get(uow, request.submission_id)
            require_partner_scope(current_caller(), submission.partner_id)
            points = await monitoring.points_of(uow, submission)
        return pb.GetMonitoringSubmissionResponse(submission=m.submission_pb(submission, points, current_caller()))

    async def ListMonitoringSubmissions(
        self, request: pb.ListMonitoringSubmissionsRequest, context: Ctx
    ) -> pb.ListMonitoringSubmissionsResponse:
        partner_id = _scoped_partner(request.partner_id)
        async with self._uow() as uow:
            found, token = await monitoring.list_submissions(
                uow,
                partner_id=partner_id or None,
                state=m.monitoring_state_of(request.state),
                page_size=request.page_size,
                page_token=request.page_token,
            )
            out = await _submissions_out(uow, found)
        return pb.ListMonitoringSubmissionsResponse(submissions=out, next_page_token=token)

    async def SubmitMonitoringResults(
        self, request: pb.SubmitMonitoringResultsRequest, context: Ctx
    ) -> pb.SubmitMonitoringResultsResponse:
        partner_id = _scoped_partner(request.partner_id)

        async def work(uow: PointsUnitOfWork) -> pb.SubmitMonitoringResultsResponse:
            submission = await monitoring.submit_results(
                uow,
                partner_id=partner_id,
                project_id=request.project_id or None,
                site_url=request.site_url,
                license_key=request.license_key,
                edition_code=request.edition_code or None,
                client_contact=m.client_contact_of(request.client_contact),
                test_results=m.test_results_of(list(request.test_results)),
                keys=self._keys,
                now=self._now(),
                policy=self._policy,
            )
            return pb.SubmitMonitoringResultsResponse(submission=m.submission_pb(submission, "0.00", current_caller()))

        return await self._write("SubmitMonitoringResults", request, pb.SubmitMonitoringResultsResponse, work)

    async def RecordMonitoringSurvey(
        self, request: pb.RecordMonitoringSurveyRequest, context: Ctx
    ) -> pb.RecordMonitoringSurveyResponse:
        async def work(uow: PointsUnitOfWork) -> pb.RecordMonitoringSurveyResponse:
            submission, entry = await monitoring.record_survey(
                uow,
                request.submission_id,
                scores={s.question_code: s.score for s in request.scores},
                surveyed_by=_decider(request.surveyed_by),
                now=self._now(),
                policy=self._policy,
            )
            return pb.RecordMonitoringSurveyResponse(
                submission=m.submission_pb(submission, str(entry.amount), current_caller()),
                entry=m.ledger_entry_pb(entry),
            )

        return await self._write("RecordMonitoringSurvey", request, pb.RecordMonitoringSurveyResponse, work)

    async def GetSurveyQuestionnaire(
        self, request: pb.GetSurveyQuestionnaireRequest, context: Ctx
    ) -> pb.GetSurveyQuestionnaireResponse:
        questionnaire = monitoring.questionnaire()
        return pb.GetSurveyQuestionnaireResponse(
            question_codes=list(questionnaire.question_codes),
            min_score=questionnaire.min_score,
            max_score=questionnaire.max_score,
        )

    # --- other main accruals -------------------------------------------------------------
    async def RecordMainAccrual(
        self, request: pb.RecordMainAccrualRequest, context: Ctx
    ) -> pb.RecordMainAccrualResponse:
        async def work(uow: PointsUnitOfWork) -> pb.RecordMainAccrualResponse:
            entry = await main_accruals.record(
                uow,
                partner_id=request.partner_id,
                kind=m.main_accrual_kind_of(request.kind),
                source_id=request.source_id,
                decided_by=_decider(request.decided_by),
                now=self._now(),
                policy=self._policy,
            )
            return pb.RecordMainAccrualResponse(entry=m.ledger_entry_pb(entry))

        return await self._write("RecordMainAccrual", request, pb.RecordMainAccrualResponse, work)

    # --- additional-point requests -------------------------------------------------------
    async def GetPointRequest(self, request: pb.GetPointRequestRequest, context: Ctx) -> pb.GetPointRequestResponse:
        async with self._uow() as uow:
            found = await point_requests.get(uow, request.point_request_id)
            require_partner_scope(current_caller(), found.partner_id)
            accrued = await point_requests.accrued_points(uow, found)
        return pb.GetPointRequestResponse(point_request=m.point_request_pb(found, accrued))

    async def ListPointRequests(
        self, request: pb.ListPointRequestsRequest, context: Ctx
    ) -> pb.ListPointRequestsResponse:
        partner_id = _scoped_partner(request.partner_id)
        async with self._uow() as uow:
            found, token = await point_requests.list_requests(
                uow,
                partner_id=partner_id or None,
                state=m.point_request_state_of(request.state),
                page_size=request.page_size,
                page_token=request.page_token,
            )
            out = await _point_requests_out(uow, found)
        return pb.ListPointRequestsResponse(point_requests=out, next_page_token=token)

    async def SubmitPointRequest(
        self, request: pb.SubmitPointRequestRequest, context: Ctx
    ) -> pb.SubmitPointRequestResponse:
        partner_id = _scoped_partner(request.partner_id)

        async def work(uow: PointsUnitOfWork) -> pb.SubmitPointRequestResponse:
            submitted = await point_requests.submit(
                uow,
                partner_id=partner_id,
                category=request.category,
                requested_points=m.decimal_of(request.requested_points, "requested_points"),
                evidence=Evidence(request.evidence_description, tuple(request.evidence_links)),
                now=self._now(),
                policy=self._policy,
                event_notice_at=m.instant_of(request.event_notice_time, request.HasField("event_notice_time")),
            )
            return pb.SubmitPointRequestResponse(point_request=m.point_request_pb(submitted, Decimal("0.00")))

        return await self._write("SubmitPointRequest", request, pb.SubmitPointRequestResponse, work)

    async def DecidePointRequest(
        self, request: pb.DecidePointRequestRequest, context: Ctx
    ) -> pb.DecidePointRequestResponse:
        async def work(uow: PointsUnitOfWork) -> pb.DecidePointRequestResponse:
            decided, entry = await point_requests.decide(
                uow,
                request.point_request_id,
                granted_points=m.decimal_of(request.granted_points, "granted_points"),
                reason=request.reason,
                decided_by=_decider(request.decided_by),
                now=self._now(),
                policy=self._policy,
            )
            accrued = entry.amount if entry is not None else Decimal("0.00")
            return pb.DecidePointRequestResponse(
                point_request=m.point_request_pb(decided, accrued),
                entry=m.ledger_entry_pb(entry) if entry is not None else None,
            )

        return await self._write("DecidePointRequest", request, pb.DecidePointRequestResponse, work)

    async def ListOverduePointRequests(
        self, request: pb.ListOverduePointRequestsRequest, context: Ctx
    ) -> pb.ListOverduePointRequestsResponse:
        async with self._uow() as uow:
            found, token = await point_requests.overdue(
                uow, now=self._now(), page_size=request.page_size, page_token=request.page_token
            )
            out = [m.point_request_pb(r, await point_requests.accrued_points(uow, r)) for r in found]
        return pb.ListOverduePointRequestsResponse(point_requests=out, next_page_token=token)

    # --- daily totals --------------------------------------------------------------------
    async def RunDailyTotals(self, request: pb.RunDailyTotalsRequest, context: Ctx) -> pb.RunDailyTotalsResponse:
        day = m.date_of(request.business_date, "business_date")

        async def work(uow: PointsUnitOfWork) -> pb.RunDailyTotalsResponse:
            run = await daily_totals.run_daily_totals(uow, day, now=self._now(), policy=self._policy)
            return pb.RunDailyTotalsResponse(
                business_date=run.business_date.isoformat(),
                computed_time=m.timestamp(run.computed_at),
                partner_count=run.partner_count,
                changed_count=run.changed_count,
            )

        return await self._write("RunDailyTotals", request, pb.RunDailyTotalsResponse, work)
