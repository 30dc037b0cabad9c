"""GatewayService over gRPC: request -> use case -> response. Domain errors are mapped centrally."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import grpc

from gateway_service.adapters.backends import ComplianceClient, StatusClient
from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.cabinet import Section, Viewer
from gateway_service.entrypoints import mapping as m
from gateway_service.entrypoints.backend_errors import passed_on_refusal, unavailable_status
from gateway_service.service_layer.cabinet import ensure_cabinet_open, get_partner_cabinet
from gateway_service.service_layer.directory_query import PageCache, list_directory
from gateway_service.service_layer.policy_simulation import csv_with_ranks, directory_effect
from gateway_service.service_layer.ports import SectionsRead
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as pb_grpc
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.auth import CallerKind, current_caller, require_partner_scope
from ppcore.clock import Clock, kyiv_date
from ppcore.errors import InvalidArgument, NotFound
from ppcore.paging import DEFAULT_PAGE_SIZE, encode_keyset, keyset_window
from ppcore.policy import parse_policy
from ppcore.purchase import require_buyer_for_purchase

Ctx = Any
R = TypeVar("R")
MAX_PAGE_SIZE = 200
# A what-if reviews every partner twice (a few seconds for 10,000; more on a busy machine).
SIMULATION_DEADLINE_SECONDS = 120.0


class GatewayServicer(pb_grpc.GatewayServiceServicer):
    def __init__(
        self,
        uow_factory: Callable[[], GatewayUnitOfWork],
        *,
        reads: Sequence[SectionsRead],
        section_deadlines: Mapping[Section, float],
        status: StatusClient,
        compliance: ComplianceClient,
        entitlement_deadline_seconds: float,
        directory_cache: PageCache[pb.ListDirectoryResponse],
        clock: Clock,
    ) -> None:
        self._uow = uow_factory
        self._reads = reads
        self._section_deadlines = section_deadlines
        self._status = status
        self._compliance = compliance
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
        viewer = (
            Viewer(partner_role=caller.role.value if caller.role else None, groups=caller.groups)
            if caller.is_partner_user
            else Viewer()
        )
        view = await get_partner_cabinet(
            request.partner_id, self._reads, deadline_seconds=self._section_deadlines, viewer=viewer
        )
        return pb.GetPartnerCabinetResponse(cabinet=m.cabinet_to_proto(view))

    async def ListDirectory(self, request: pb.ListDirectoryRequest, context: Ctx) -> pb.ListDirectoryResponse:
        after, limit = keyset_window(request.page_size, request.page_token, (float, str, int), maximum=MAX_PAGE_SIZE)
        tier = ""
        if request.tier:
            found = m.TIERS_FROM_PROTO.get(request.tier)
            if found is None:
                raise InvalidArgument.for_field("tier", f"{request.tier} is not a partner status")
            tier = found.value
        key = (kyiv_date(self._clock.now()), request.competency_code, request.page_token, limit, request.city, tier)
        cached = self._directory_cache.get(key)
        if cached is not None:
            return cached
        page = await list_directory(
            self._uow,
            competency_code=request.competency_code,
            after=(after[0], after[1], after[2]) if after else None,
            limit=limit,
            today=key[0],
            city=request.city,
            tier=tier,
        )
        response = pb.ListDirectoryResponse(
            entries=[m.listed_to_proto(entry, page.first_rank + i) for i, entry in enumerate(page.entries)],
            next_page_token=encode_keyset(page.cursor) if page.cursor else "",
            policy_version=page.policy_version,
        )
        self._directory_cache.put(key, response)
        return response

    async def _forwarded(self, backend: str, call: Awaitable[R], context: Ctx) -> R:
        """A backend's answer; its refusal passed on as the same refusal, anything else UNAVAILABLE."""
        try:
            return await call
        except grpc.aio.AioRpcError as error:
            refusal = passed_on_refusal(error)
            if refusal is not None:
                raise refusal from error
            message, details = unavailable_status(backend, error)
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, message, trailing_metadata=(("grpc-status-details-bin", details),)
            )
            raise  # not reached: abort raises

    async def _entitlement(
        self, request: pb.CheckDiscountEntitlementRequest, context: Ctx
    ) -> pb.CheckDiscountEntitlementResponse:
        # R-ENT-01/02: status sees the gateway's own identity, not the sales platform's, so
        # the gateway refuses the sales platform's check without a buyer itself.
        require_buyer_for_purchase(
            sales_platform=current_caller().kind is CallerKind.SALES_PLATFORM, buyer_login=request.buyer_login
        )
        forwarded = status_pb.CheckDiscountEntitlementRequest(
            buyer_login=request.buyer_login, partner_id=request.partner_id, product_family=request.product_family
        )
        call = self._status.stub.CheckDiscountEntitlement(forwarded, timeout=self._entitlement_deadline)
        answer = await self._forwarded("status", call, context)
        return pb.CheckDiscountEntitlementResponse(
            allowed=answer.allowed,
            discount_percent=answer.discount_percent,
            tier=answer.tier,
            reason=answer.reason,
            blocked_until_date=answer.blocked_until_date,
            partner_id=answer.partner_id,
            policy_version=answer.policy_version,
            staff_query=answer.staff_query,
        )

    async def CheckDiscountEntitlement(
        self, request: pb.CheckDiscountEntitlementRequest, context: Ctx
    ) -> pb.CheckDiscountEntitlementResponse:
        return await self._entitlement(request, context)

    async def ListViolators(self, request: pb.ListViolatorsRequest, context: Ctx) -> pb.ListViolatorsResponse:
        """R-SAN-06: the compliance service's list, passed on (one call, not a fan-out)."""
        forwarded = compliance_pb.ListViolatorsRequest(page_size=request.page_size, page_token=request.page_token)
        call = self._compliance.stub.ListViolators(forwarded, timeout=self._entitlement_deadline)
        answer = await self._forwarded("compliance", call, context)
        return pb.ListViolatorsResponse(violators=answer.violators, next_page_token=answer.next_page_token)

    async def CheckCheckout(self, request: pb.CheckCheckoutRequest, context: Ctx) -> pb.CheckCheckoutResponse:
        """The checkout facade: discount (R-ENT-01/02) and resale price (R-PRC-01/02) together.

        With the partner named, both checks run at once; otherwise the entitlement names the
        buyer's partner first."""
        if not request.resale_price_uah:
            raise InvalidArgument.for_field("resale_price_uah", "is required")
        # R-ENT-01/02: refused before any price check runs (a refused price opens a case).
        require_buyer_for_purchase(
            sales_platform=current_caller().kind is CallerKind.SALES_PLATFORM, buyer_login=request.buyer_login
        )
        if not request.buyer_login and not request.partner_id:
            raise InvalidArgument.for_field("buyer_login", "name the buyer (or at least the partner)", rule="R-ENT-01")
        entitlement_request = pb.CheckDiscountEntitlementRequest(
            buyer_login=request.buyer_login, partner_id=request.partner_id, product_family=request.product_family
        )

        async def price(partner_id: str) -> compliance_pb.CheckResalePriceResponse:
            forwarded = compliance_pb.CheckResalePriceRequest(
                request_id=request.request_id,
                partner_id=partner_id,
                edition_code=request.edition_code,
                price_uah=request.resale_price_uah,
                currency="UAH",
                order_id=request.order_id,
                sale_kind=request.sale_kind,
                from_edition_code=request.from_edition_code,
                cloud_plan=request.cloud_plan,
                period_months=request.period_months,
            )
            call = self._compliance.stub.CheckResalePrice(forwarded, timeout=self._entitlement_deadline)
            return await self._forwarded("compliance", call, context)

        if request.partner_id:
            discount, verdict = await asyncio.gather(
                self._entitlement(entitlement_request, context), price(request.partner_id)
            )
        else:
            discount = await self._entitlement(entitlement_request, context)
            if not discount.partner_id:
                raise NotFound(
                    reason="BUYER_UNKNOWN",
                    message="buyer_login: the buyer belongs to no partner; name the reselling partner_id",
                    rule="R-ENT-01",
                )
            verdict = await price(discount.partner_id)
        return pb.CheckCheckoutResponse(discount=discount, price=m.price_verdict(verdict))

    async def SimulatePolicyChange(
        self, request: pb.SimulatePolicyChangeRequest, context: Ctx
    ) -> pb.SimulatePolicyChangeResponse:
        """R-POL-01: status's simulation (it validates the candidate and refuses naming the
        field), then each differing partner's directory rank now and under the candidate."""
        forwarded = status_pb.SimulatePolicyChangeRequest(
            policy_document=request.policy_document, as_of_date=request.as_of_date
        )
        call = self._status.stub.SimulatePolicyChange(forwarded, timeout=SIMULATION_DEADLINE_SECONDS)
        answer = await self._forwarded("status", call, context)
        async with self._uow() as uow:
            in_force = uow.policy
        ids = [p.partner_id for p in answer.partners]
        tiers = tuple(
            {p.partner_id: m.TIERS_FROM_PROTO[getattr(p, side).tier] for p in answer.partners}
            for side in ("in_force", "candidate")
        )
        effect = await directory_effect(
            self._uow,
            kyiv_date(self._clock.now()),
            ids,
            (tiers[0], tiers[1]),
            (in_force, parse_policy(request.policy_document, "candidate")),
            DEFAULT_PAGE_SIZE,
        )
        return pb.SimulatePolicyChangeResponse(
            simulation=answer,
            directory_ranks=[m.directory_rank_pb(r) for r in effect.ranks],
            first_page_size=effect.first_page_size,
            leaving_first_page=[m.directory_rank_pb(r) for r in effect.leaving_first_page],
            joining_first_page=[m.directory_rank_pb(r) for r in effect.joining_first_page],
            csv=csv_with_ranks(answer.csv, effect.ranks),
        )

    async def ListPolicyVersions(
        self, request: pb.ListPolicyVersionsRequest, context: Ctx
    ) -> pb.ListPolicyVersionsResponse:
        forwarded = status_pb.ListPolicyVersionsRequest(as_of_date=request.as_of_date)
        call = self._status.stub.ListPolicyVersions(forwarded, timeout=self._entitlement_deadline * 10)
        answer = await self._forwarded("status", call, context)
        return pb.ListPolicyVersionsResponse(
            as_of_date=answer.as_of_date, in_force_version=answer.in_force_version, versions=answer.versions
        )
