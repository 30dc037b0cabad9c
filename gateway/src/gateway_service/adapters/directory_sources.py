"""Where a directory rebuild reads from: the owning services' RPCs and the producers' streams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import grpc
from nats.js.errors import NotFoundError

from gateway_service.adapters.backends import ComplianceClient, PointsClient, StatusClient
from gateway_service.domain.listing import ListingSanction, RankingItemKind, SanctionPeriod, counts_as_marketing
from gateway_service.service_layer.directory_projection import PublishedCard
from gateway_service.service_layer.directory_rebuild import SnapshotPartner, SnapshotSanction
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.points.v1 import monitoring_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import card_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.bus import EventBus
from ppcore.policy import Tier

_PAGE = 200
_TIMEOUT = 30.0
_TIERS = {
    status_pb2.PARTNER_TIER_BUSINESS: Tier.BUSINESS,
    status_pb2.PARTNER_TIER_CERTIFIED: Tier.CERTIFIED,
    status_pb2.PARTNER_TIER_GOLD: Tier.GOLD,
}
_SANCTIONS = {
    sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION: ListingSanction.PUBLIC_LIST_EXCLUSION,
    sanction_pb2.SANCTION_KIND_VIOLATORS_LIST: ListingSanction.VIOLATORS_LIST,
    sanction_pb2.SANCTION_KIND_CABINET_BLOCK: ListingSanction.CABINET_BLOCK,
}


async def _pages(call: Any, request: Any, items: str) -> AsyncIterator[Any]:
    token = ""
    while True:
        request.page_token = token
        reply = await call(request, timeout=_TIMEOUT)
        for item in getattr(reply, items):
            yield item
        token = reply.next_page_token
        if not token:
            return


class ServicesSnapshot:
    """The directory's facts as status, points and compliance hold them now."""

    def __init__(self, status: StatusClient, points: PointsClient, compliance: ComplianceClient) -> None:
        self._status = status.stub
        self._points = points.stub
        self._compliance = compliance.stub

    async def partners(self) -> AsyncIterator[SnapshotPartner]:
        request = status_pb.ListPartnersRequest(include_terminated=True, page_size=_PAGE)
        async for partner in _pages(self._status.ListPartners, request, "partners"):
            yield await self._partner(partner)

    async def _partner(self, partner: partner_pb2.Partner) -> SnapshotPartner:
        partner_id = partner.partner_id
        card = (
            await self._status.GetPartnerCard(status_pb.GetPartnerCardRequest(partner_id=partner_id), timeout=_TIMEOUT)
        ).card
        courses: dict[str, tuple[str, ...]] = {}
        async for employee in _pages(
            self._status.ListEmployees,
            status_pb.ListEmployeesRequest(partner_id=partner_id, page_size=_PAGE),
            "employees",
        ):
            courses[employee.login] = tuple(employee.course_codes)
        return SnapshotPartner(
            partner_id=partner_id,
            company_name=partner.company_name,
            city=partner.city,
            tier=_TIERS.get(partner.tier, Tier.BUSINESS),
            terminated=partner.HasField("termination") and bool(partner.termination.effective_date),
            # Only a moderated, published revision reaches the list (R-CARD-02): the content a
            # new partner starts with (its application phone) is not announced and not listed.
            card=_published(card) if card.published_revision_id else None,
            competencies=tuple(partner.competency_codes),
            courses_by_login=courses,
            active_points=await self._active_points(partner_id),
            items=await self._items(partner_id),
        )

    async def _active_points(self, partner_id: str) -> Decimal:
        try:
            reply = await self._points.GetDailyTotal(
                points_pb.GetDailyTotalRequest(partner_id=partner_id), timeout=_TIMEOUT
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.NOT_FOUND:
                return Decimal(0)
            raise
        return Decimal(reply.daily_total.total_points or "0")

    async def _items(self, partner_id: str) -> tuple[tuple[RankingItemKind, str], ...]:
        items: list[tuple[RankingItemKind, str]] = []
        try:
            async for project in _pages(
                self._points.ListProjects,
                points_pb.ListProjectsRequest(
                    partner_id=partner_id, state=project_pb2.PROJECT_STATE_APPROVED, page_size=_PAGE
                ),
                "projects",
            ):
                items.append((RankingItemKind.PROJECT, project.project_id))
            async for submission in _pages(
                self._points.ListMonitoringSubmissions,
                points_pb.ListMonitoringSubmissionsRequest(
                    partner_id=partner_id, state=monitoring_pb2.MONITORING_STATE_COMPLETED, page_size=_PAGE
                ),
                "submissions",
            ):
                key = submission.project_id or submission.site_key or submission.submission_id
                items.append((RankingItemKind.MONITORED_PROJECT, key))
            async for decided in _pages(
                self._points.ListPointRequests,
                points_pb.ListPointRequestsRequest(partner_id=partner_id, page_size=_PAGE),
                "point_requests",
            ):
                if counts_as_marketing(decided.category, decided.granted_points):
                    items.append((RankingItemKind.MARKETING_ACTIVITY, decided.point_request_id))
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND:  # points has not heard of it yet
                raise
        return tuple(items)

    async def sanctions(self) -> AsyncIterator[SnapshotSanction]:
        request = compliance_pb.ListActiveSanctionsRequest(page_size=_PAGE)
        async for sanction in _pages(self._compliance.ListActiveSanctions, request, "sanctions"):
            kind = _SANCTIONS.get(sanction.kind)
            if kind is None:
                continue
            period = SanctionPeriod(
                start_date=date.fromisoformat(sanction.start_date),
                end_date=date.fromisoformat(sanction.end_date) if sanction.end_date else None,
                lifted=False,
            )
            yield SnapshotSanction(sanction.sanction_id, sanction.partner_id, kind, period)


def _published(card: card_pb2.PartnerCard) -> PublishedCard:
    content = card.published
    return PublishedCard(
        description=content.description,
        logo_ref=content.logo_ref,
        phone=content.phone,
        office_address=content.office_address,
        website_url=content.website_url,
        eligible=card.eligibility.eligible,
        missing_items=tuple(
            card_pb2.CardItem.Name(item).removeprefix("CARD_ITEM_") for item in card.eligibility.missing_items
        ),
        office_city=content.office_city,
    )


class JetStreamLog:
    """The producers' streams on JetStream."""

    def __init__(self, bus: EventBus, producers: tuple[str, ...]) -> None:
        self._bus = bus
        self._producers = producers

    async def positions(self) -> dict[str, int]:
        positions = {}
        for producer in self._producers:
            info = await self._bus.js.stream_info(self._bus.naming.stream_for(producer))
            positions[producer] = int(info.state.last_seq)
        return positions

    async def replay(self, after: dict[str, int]) -> AsyncIterator[tuple[str, bytes]]:
        """Each stream's messages after ``after[producer]`` up to its end now, in order."""
        ends = await self.positions()
        for producer in self._producers:
            stream = self._bus.naming.stream_for(producer)
            for sequence in range(after.get(producer, 0) + 1, ends[producer] + 1):
                try:
                    message = await self._bus.js.get_msg(stream, sequence)
                except NotFoundError:
                    continue  # deleted (or past the stream's age limit)
                yield producer, bytes(message.data or b"")
