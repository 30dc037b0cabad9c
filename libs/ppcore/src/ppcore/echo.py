"""The bare reference server: the same runner, interceptors and auth as every service,
and no work. Benchmarks compare each service with it; platform tests use it.

``python -m ppcore.echo`` serves it with settings prefixed ``ECHO_``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic_settings import SettingsConfigDict

from partnerprogram.echo.v1 import echo_service_pb2 as pb
from partnerprogram.echo.v1 import echo_service_pb2_grpc as pb_grpc
from ppcore.auth import Allow, CallerKind, TokenVerifier
from ppcore.main import service_main
from ppcore.server import GrpcService, ServerApp, TlsFiles
from ppcore.settings import ServiceSettings

ECHO_ACCESS = {
    "Echo": Allow.of(CallerKind.STAFF, CallerKind.SYSTEM, CallerKind.SALES_PLATFORM),
    "Sleep": Allow.of(CallerKind.STAFF, CallerKind.SYSTEM),
}


class EchoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ECHO_", extra="ignore", frozen=True)
    database_url: str = "sqlite://"  # unused: the echo server keeps nothing


class EchoServicer(pb_grpc.EchoServiceServicer):
    async def Echo(self, request: pb.EchoRequest, context: Any) -> pb.EchoResponse:
        return pb.EchoResponse(payload=request.payload)

    async def Sleep(self, request: pb.SleepRequest, context: Any) -> pb.SleepResponse:
        await asyncio.sleep(request.milliseconds / 1000)
        return pb.SleepResponse(slept_milliseconds=request.milliseconds)


def echo_service() -> GrpcService:
    return GrpcService(
        descriptor=pb.DESCRIPTOR.services_by_name["EchoService"],
        servicer=EchoServicer(),
        add_to_server=pb_grpc.add_EchoServiceServicer_to_server,
        access=ECHO_ACCESS,
    )


def build_echo_app(settings: EchoSettings) -> ServerApp:
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    verifier = TokenVerifier(
        algorithm=settings.jwt_algorithm,
        secret=secret,
        public_key_file=settings.jwt_public_key_file,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        max_lifetimes=settings.jwt_max_lifetime_seconds,
    )

    tls = (
        TlsFiles(settings.tls_cert_file, settings.tls_key_file, settings.tls_ca_file)
        if settings.tls_cert_file and settings.tls_key_file
        else None
    )
    return ServerApp(
        name="echo",
        services=[echo_service()],
        verifier=verifier,
        host=settings.grpc_host,
        port=settings.grpc_port,
        tls=tls,
        grace_seconds=settings.shutdown_grace_seconds,
        log_sample=settings.access_log_sample,
        metrics_port=settings.metrics_port,
        reuse_port=settings.processes > 1,
        reflection=settings.reflection_enabled,
        notice_seconds=settings.shutdown_notice_seconds,
    )


async def build_echo_app_async(settings: EchoSettings) -> ServerApp:
    return build_echo_app(settings)


def main() -> None:
    service_main("echo", EchoSettings, build_echo_app_async, None)


if __name__ == "__main__":
    main()
