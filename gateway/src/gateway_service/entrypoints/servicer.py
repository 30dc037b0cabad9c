"""GatewayService over gRPC: request -> use case -> response. Domain errors are mapped centrally."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import grpc

from gateway_service.adapters.backends import StatusClient
from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.cabinet import Section, Viewer
from gateway_service.entrypoints import mapping as m
from gateway_service.entrypoints.backend_errors import passed_on_refusal, unavailable_status
from gateway_service.service_layer.cabinet import ensure_cabinet_open, get_partner_cabinet
from gateway_service.service_layer.directory_query import PageCache, list_directory
from gateway_service.service_layer.ports import SectionRead
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as pb_grpc
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.auth import current_caller, require_partner_scope
from ppcore.clock import Clock, kyiv_date
from ppcore.errors import InvalidArgument
from ppcore.paging import page_window

Ctx = Any
MAX_PAGE_SIZE = 200


def _page(page_size: int, page_token: str) -> tuple[int, int]:
    return page_window(page_size, page_token, maximum=MAX_PAGE_SIZE)


class GatewayServicer(pb_grpc.GatewayServiceServicer):
    def __init__(
        self,
        uow_factory: Callable[[], GatewayUnitOfWork],
        *,
        reads: Mapping[Section, SectionRead],
        section_deadlines: Mapping[Section, float],
        status: StatusClient,
        entitlement_deadline_seconds: float,
        directory_cache: PageCache[pb.ListDirectoryResponse],
        clock: Clock,
    ) -> None:
        self._uow = uow_factory
        self._reads = reads
        self._section_deadlines = section_deadlines
        self._status = status
        self._entitlement_deadline = entitlement_deadline_seconds
        self._directory_cache = directory_cache
        self._clock = clock

    async def GetPartnerCabinet(
        self, request: pb.GetPartnerCabinetRequest, context: Ctx
    ) -> pb.GetPartnerCabinetResponse:
        if not request.partner_id:
            raise InvalidArgument.for_field("partner_id", "is required")
        if request.expiring_within_days < 0:
            raise InvalidArgument.for_field("expiring_within_days", "must not be negative")
        caller = current_caller()
        require_partner_scope(caller, request.partner_id)
        if caller.is_partner_user:
            await ensure_cabinet_open(self._uow, request.partner_id)
        viewer = Viewer(partner_role=caller.role.value if caller.is_partner_user and caller.role else None)
        view = await get_partner_cabinet(
            request.partner_id, self._reads, deadline_seconds=self._section_deadlines, viewer=viewer
        )
        return pb.GetPartnerCabinetResponse(cabinet=m.cabinet_to_proto(view))

    async def ListDirectory(self, request: pb.ListDirectoryRequest, context: Ctx) -> pb.ListDirectoryResponse:
        offset, limit = _page(request.page_size, request.page_token)
        key = (kyiv_date(self._clock.now()), request.competency_code, offset, limit)
        cached = self._directory_cache.get(key)
        if cached is not None:
            return cached
        page = await list_directory(
            self._uow, competency_code=request.competency_code, offset=offset, limit=limit, today=key[0]
        )
        response = pb.ListDirectoryResponse(
            entries=[m.listed_to_proto(entry, page.first_rank + i) for i, entry in enumerate(page.entries)],
            next_page_token=str(offset + limit) if page.has_more else "",
            policy_version=page.policy_version,
        )
        self._directory_cache.put(key, response)
        return response

    async def CheckDiscountEntitlement(
        self, request: pb.CheckDiscountEntitlementRequest, context: Ctx
    ) -> pb.CheckDiscountEntitlementResponse:
        forwarded = status_pb.CheckDiscountEntitlementRequest(
            buyer_login=request.buyer_login, partner_id=request.partner_id, product_family=request.product_family
        )
        try:
            answer = await self._status.stub.CheckDiscountEntitlement(forwarded, timeout=self._entitlement_deadline)
        except grpc.aio.AioRpcError as error:
            refusal = passed_on_refusal(error)
            if refusal is not None:
                raise refusal from error
            message, details = unavailable_status("status", error)
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, message, trailing_metadata=(("grpc-status-details-bin", details),)
            )
        return pb.CheckDiscountEntitlementResponse(
            allowed=answer.allowed,
            discount_percent=answer.discount_percent,
            tier=answer.tier,
            reason=answer.reason,
            blocked_until_date=answer.blocked_until_date,
            partner_id=answer.partner_id,
            policy_version=answer.policy_version,
        )
