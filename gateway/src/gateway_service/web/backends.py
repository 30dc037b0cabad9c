"""The gRPC stubs the pages call: the four services and the gateway's own API.

The channels carry the token of the person whose page is being served (see
``identity.current_token``), never the gateway's service token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc

from gateway_service.web.identity import current_token
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as gateway_grpc
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.client import ClientTls, make_channel
from ppcore.grpc_errors import error_info, field_violations, status_from_rpc_error

T = TypeVar("T")


@dataclass(frozen=True)
class Addresses:
    status: str
    points: str
    licensing: str
    compliance: str


def _channel(
    target: str, tls: ClientTls | None, deadline_seconds: float, server_name: str | None = None
) -> grpc.aio.Channel:
    return make_channel(
        target, token=current_token, tls=tls, deadline_seconds=deadline_seconds, server_name_override=server_name
    )


@dataclass
class Backends:
    status: status_grpc.StatusServiceAsyncStub
    points: points_grpc.PointsServiceAsyncStub
    licensing: licensing_grpc.LicensingServiceAsyncStub
    compliance: compliance_grpc.ComplianceServiceAsyncStub
    tls: ClientTls | None = None
    deadline_seconds: float = 5.0
    channels: list[grpc.aio.Channel] = field(default_factory=list)
    _gateway: gateway_grpc.GatewayServiceAsyncStub | None = None

    @classmethod
    def open(cls, addresses: Addresses, *, tls: ClientTls | None = None, deadline_seconds: float = 5.0) -> Backends:
        channels = {
            name: _channel(getattr(addresses, name), tls, deadline_seconds)
            for name in ("status", "points", "licensing", "compliance")
        }
        return cls(
            status=status_grpc.StatusServiceStub(channels["status"]),
            points=points_grpc.PointsServiceStub(channels["points"]),
            licensing=licensing_grpc.LicensingServiceStub(channels["licensing"]),
            compliance=compliance_grpc.ComplianceServiceStub(channels["compliance"]),
            tls=tls,
            deadline_seconds=deadline_seconds,
            channels=list(channels.values()),
        )

    def attach_gateway(self, target: str, *, server_name: str | None = None) -> None:
        """The gateway's own gRPC API (partner view, directory), once its port is known."""
        channel = _channel(target, self.tls, self.deadline_seconds, server_name)
        self.channels.append(channel)
        self._gateway = gateway_grpc.GatewayServiceStub(channel)

    @property
    def gateway(self) -> gateway_grpc.GatewayServiceAsyncStub:
        if self._gateway is None:
            raise RuntimeError("the gateway's own API is attached when its gRPC server listens")
        return self._gateway

    async def close(self) -> None:
        for channel in self.channels:
            await channel.close()


@dataclass(frozen=True)
class Refusal:
    """A service said no: what the page shows (the service's message, reason and rule)."""

    code: str
    message: str
    reason: str = ""
    rule: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def forbidden(self) -> bool:
        return self.code in ("PERMISSION_DENIED", "UNAUTHENTICATED")

    @property
    def http_status(self) -> int:
        return {
            "INVALID_ARGUMENT": 400,
            "FAILED_PRECONDITION": 409,
            "ALREADY_EXISTS": 409,
            "NOT_FOUND": 404,
            "PERMISSION_DENIED": 403,
            "UNAUTHENTICATED": 401,
        }.get(self.code, 503)


def refusal_of(error: grpc.aio.AioRpcError) -> Refusal:
    status = status_from_rpc_error(error)
    info = error_info(status) if status is not None else None
    violations = field_violations(status) if status is not None else []
    return Refusal(
        code=error.code().name,
        message=error.details() or error.code().name,
        reason=info.reason if info is not None else "",
        rule=info.metadata.get("rule", "") if info is not None else "",
        fields=tuple((v.field, v.description) for v in violations),
    )


async def attempt(call: Awaitable[T]) -> T | Refusal:
    """The answer, or the refusal as data (so a page can show one section as unavailable)."""
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        return refusal_of(error)


async def all_pages(fetch: Callable[[str], Awaitable[Any]], items: str, *, limit: int = 2000) -> list[Any]:
    """Every item of a paged List RPC (``fetch(page_token)``), up to ``limit``."""
    result: list[Any] = []
    token = ""
    while True:
        page = await fetch(token)
        result.extend(getattr(page, items))
        token = page.next_page_token
        if not token or len(result) >= limit:
            return result[:limit]
