"""The composition root of the gateway process: everything is built here, from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from starlette.routing import BaseRoute

from gateway_service.adapters.backends import ComplianceClient, LicensingClient, PointsClient, StatusClient
from gateway_service.adapters.directory_sources import JetStreamLog, ServicesSnapshot
from gateway_service.adapters.orm import platform_tables
from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.config import GatewaySettings
from gateway_service.domain.cabinet import Section
from gateway_service.entrypoints.access import ACCESS
from gateway_service.entrypoints.consumers import build_consumers, event_applier, routes_by_producer
from gateway_service.entrypoints.servicer import GatewayServicer
from gateway_service.http.app import create_http_app
from gateway_service.http.routes import api_routes, api_services
from gateway_service.http.server import HttpServer, loopback_channel
from gateway_service.http.transcoding import Transcoder
from gateway_service.service_layer.directory_projection import rescore_stale
from gateway_service.service_layer.directory_query import PageCache
from gateway_service.service_layer.directory_rebuild import RebuildReport, rebuild_directory
from gateway_service.service_layer.ports import SectionRead
from partnerprogram.gateway.v1 import gateway_service_pb2, gateway_service_pb2_grpc
from ppcore.client import ClientTls
from ppcore.clock import Clock
from ppcore.logging import get_logger
from ppcore.runtime import Platform
from ppcore.server import GrpcService, ServerApp

log = get_logger("gateway.bootstrap")


async def build_app(
    settings: GatewaySettings, *, clock: Clock | None = None, http_routes: Sequence[BaseRoute] = ()
) -> ServerApp:
    """The gateway process; ``http_routes`` are mounted into its HTTP side after the API."""
    app, _http = await build_gateway(settings, clock=clock, http_routes=http_routes)
    return app


async def build_gateway(
    settings: GatewaySettings, *, clock: Clock | None = None, http_routes: Sequence[BaseRoute] = ()
) -> tuple[ServerApp, HttpServer]:
    """The gateway's gRPC server app and its HTTP side (served as one of its background tasks)."""
    platform = Platform.create("gateway", settings, platform_tables, clock=clock)
    await platform.connect()
    options = platform.uow_options()

    def uow_factory() -> GatewayUnitOfWork:
        return GatewayUnitOfWork(platform.db, platform.tables, policy=platform.policy, **options)

    status = StatusClient(platform.channel(settings.status_address))
    points = PointsClient(platform.channel(settings.points_address), within_days=settings.cabinet_expiring_within_days)
    licensing = LicensingClient(platform.channel(settings.licensing_address))
    compliance = ComplianceClient(platform.channel(settings.compliance_address))
    # Each section: its read and the backend that answers it (whose deadline applies).
    sections: Mapping[Section, tuple[SectionRead, str]] = {
        Section.STATUS: (status.status, "status"),
        Section.CARD: (status.card, "status"),
        Section.PARTNER: (status.partner, "status"),
        Section.AUTHORIZATION_LETTER: (status.letter, "status"),
        Section.DISCOUNT: (status.discount, "status"),
        Section.EMPLOYEES: (status.employees, "status"),
        Section.COMPETENCIES: (status.competencies, "status"),
        Section.POINTS: (points.figures, "points"),
        Section.PROJECTS: (points.projects, "points"),
        Section.MONITORING: (points.monitoring, "points"),
        Section.NFR: (licensing.holdings, "licensing"),
        Section.SANCTIONS: (compliance.active_sanctions, "compliance"),
    }
    servicer = GatewayServicer(
        uow_factory,
        reads={section: read for section, (read, _backend) in sections.items()},
        section_deadlines={
            section: settings.backend_deadline(backend) for section, (_read, backend) in sections.items()
        },
        status=status,
        compliance=compliance,
        entitlement_deadline_seconds=settings.entitlement_deadline_seconds,
        directory_cache=PageCache(settings.directory_cache_seconds),
        clock=platform.clock,
    )
    service = GrpcService(
        descriptor=gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"],
        servicer=servicer,
        add_to_server=gateway_service_pb2_grpc.add_GatewayServiceServicer_to_server,
        access=ACCESS,
    )

    async def rescore_after_policy_change(stop: asyncio.Event) -> None:
        rescored = await rescore_stale(uow_factory)
        if rescored:
            log.info("gateway.directory.rescored", partners=rescored, policy_version=platform.policy.version)

    app = platform.server(
        services=[service],
        consumers=build_consumers(platform.bus, uow_factory, max_attempts=settings.consumer_max_deliver),
        background=[rescore_after_policy_change],
    )
    transcoder = Transcoder(api_services(), timeout_seconds=settings.http_call_timeout_seconds)
    http = HttpServer(
        create_http_app(
            api_routes=api_routes(transcoder), extra_routes=http_routes, cors_origins=settings.http_cors_origins
        ),
        host=settings.http_host,
        port=settings.http_port,
        grace_seconds=settings.shutdown_grace_seconds,
    )

    async def serve_http(stop: asyncio.Event) -> None:
        # Background tasks start once the gRPC server listens, so its port is known here.
        tls = (
            ClientTls(settings.tls_ca_file or settings.tls_cert_file, settings.tls_cert_file, settings.tls_key_file)
            if settings.tls_cert_file
            else None
        )
        channel = loopback_channel(settings.grpc_host, app.bound_port, tls, settings.http_loopback_server_name)
        transcoder.attach(channel)
        try:
            await http.run(stop)
        finally:
            await channel.close()

    app.background.append(serve_http)
    return app, http


async def rebuild_directory_now(settings: GatewaySettings, *, clock: Clock | None = None) -> RebuildReport:
    """`python -m gateway_service rebuild-directory`: fill the (fresh, migrated) database of
    ``settings`` from the owning services and the events after their streams' positions."""
    platform = Platform.create("gateway", settings, platform_tables, clock=clock)
    await platform.connect()
    try:

        def uow_factory() -> GatewayUnitOfWork:
            return GatewayUnitOfWork(platform.db, platform.tables, policy=platform.policy, **platform.uow_options())

        source = ServicesSnapshot(
            StatusClient(platform.channel(settings.status_address)),
            PointsClient(platform.channel(settings.points_address), within_days=settings.cabinet_expiring_within_days),
            ComplianceClient(platform.channel(settings.compliance_address)),
        )
        events = JetStreamLog(platform.bus, tuple(routes_by_producer()))
        return await rebuild_directory(uow_factory, source, events, event_applier(uow_factory))
    finally:
        await platform.close()
