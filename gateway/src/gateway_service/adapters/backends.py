"""gRPC clients of the four backends, one small class each, as the cabinet's section reads.

Every call carries the timeout it is given (the cabinet's deadline), so a slow backend
sees the deadline too. Failures become :class:`BackendFailure` with the status name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import grpc

from gateway_service.service_layer.ports import BackendFailure
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import ledger_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import card_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc

R = TypeVar("R")

# The cabinet shows NFR grants in use; one page holds every grant a partner can have.
_NFR_PAGE_SIZE = 100
_SANCTIONS_PAGE_SIZE = 200


async def _call(backend: str, call: Awaitable[R]) -> R:
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        raise BackendFailure(backend, error.code().name, error.details() or "") from error


class StatusClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = status_grpc.StatusServiceStub(channel)

    async def status(self, partner_id: str, deadline_seconds: float) -> status_pb2.PartnerStatus:
        request = status_pb.GetPartnerStatusRequest(partner_id=partner_id)
        return (await _call("status", self.stub.GetPartnerStatus(request, timeout=deadline_seconds))).status

    async def card(self, partner_id: str, deadline_seconds: float) -> card_pb2.PartnerCard:
        request = status_pb.GetPartnerCardRequest(partner_id=partner_id)
        return (await _call("status", self.stub.GetPartnerCard(request, timeout=deadline_seconds))).card


@dataclass(frozen=True)
class PointsFigures:
    active_points: str
    expiring_points: str
    within_days: int
    expiring_by_date: list[ledger_pb2.ExpiringOnDate] = field(default_factory=list)


class PointsClient:
    def __init__(self, channel: grpc.aio.Channel, *, within_days: int) -> None:
        self.stub = points_grpc.PointsServiceStub(channel)
        self.within_days = within_days

    async def figures(self, partner_id: str, deadline_seconds: float) -> PointsFigures:
        active, expiring = await asyncio.gather(
            _call(
                "points",
                self.stub.GetActiveTotal(
                    points_pb.GetActiveTotalRequest(partner_id=partner_id), timeout=deadline_seconds
                ),
            ),
            _call(
                "points",
                self.stub.GetExpiringPoints(
                    points_pb.GetExpiringPointsRequest(partner_id=partner_id, within_days=self.within_days),
                    timeout=deadline_seconds,
                ),
            ),
        )
        return PointsFigures(
            active_points=active.total_points or "0",
            expiring_points=expiring.total_points or "0",
            within_days=self.within_days,
            expiring_by_date=list(expiring.by_date),
        )


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
