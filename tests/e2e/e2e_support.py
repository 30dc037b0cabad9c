"""Driving the running suite from end-to-end tests: stubs, tokens, polling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from partnerprogram.gateway.v1 import cabinet_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as gateway_grpc
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.testing.plugin import Tokens
from scripts.onboarding import applicant_data as applicant_data  # shared with the bench
from scripts.onboarding import onboard_partner as onboard_partner

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], *, wait: float = 20.0) -> T:
    """Poll ``probe`` until ``accept`` holds for its result (bounded); returns that result."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        result = await probe()
        if accept(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached within {wait} s; last result: {result}")
        await asyncio.sleep(0.2)


def md(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def entitlement(channel: grpc.aio.Channel, tokens: Tokens, partner_id: str) -> Any:
    return await status_grpc.StatusServiceStub(channel).CheckDiscountEntitlement(
        # R-ENT-01: by partner id alone it is a staff query; the sales platform names the buyer.
        status_pb.CheckDiscountEntitlementRequest(partner_id=partner_id, product_family="SITE_MANAGEMENT"),
        metadata=md(tokens.staff()),
        timeout=5,
    )


async def partner_view(address: str, metadata: Any, partner_id: str) -> cabinet_pb2.PartnerCabinet:
    """The gateway's whole partner view (R-CARD-04) as ``metadata``'s caller sees it."""
    async with grpc.aio.insecure_channel(address) as channel:
        reply = await gateway_grpc.GatewayServiceStub(channel).GetPartnerCabinet(
            gateway_pb.GetPartnerCabinetRequest(partner_id=partner_id), metadata=metadata
        )
        return reply.cabinet
