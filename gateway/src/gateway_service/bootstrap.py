"""The composition root of the gateway process: everything is built here, from settings."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from gateway_service.adapters.backends import ComplianceClient, LicensingClient, PointsClient, StatusClient
from gateway_service.adapters.directory_sources import JetStreamLog, ServicesSnapshot
from gateway_service.adapters.orm import platform_tables
from gateway_service.adapters.section_invalidation import InvalidationFeed, count_view_cache_lookup
from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.config import GatewaySettings
from gateway_service.domain.cabinet import Section
from gateway_service.entrypoints.access import ACCESS
from gateway_service.entrypoints.consumers import build_consumers, event_applier, routes_by_producer
from gateway_service.entrypoints.servicer import GatewayServicer
from gateway_service.http.app import create_http_app
from gateway_service.http.routes import api_routes, api_services
from gateway_service.http.server import HttpServer, loopback_channel, loopback_target
from gateway_service.http.transcoding import Transcoder
from gateway_service.service_layer.cached_read import ReadContext, cached_sections_read
from gateway_service.service_layer.directory_projection import rescore_stale
from gateway_service.service_layer.directory_query import PageCache
from gateway_service.service_layer.directory_rebuild import RebuildReport, rebuild_directory
from gateway_service.service_layer.ports import SectionsRead, one_section
from gateway_service.service_layer.section_cache import SectionCache
from gateway_service.web.app import build_web, web_mount
from gateway_service.web.backends import Addresses, Backends
from gateway_service.web.pages import WebConfig
from partnerprogram.gateway.v1 import gateway_service_pb2, gateway_service_pb2_grpc
from ppcore.auth import current_caller
from ppcore.client import ClientTls
from ppcore.clock import Clock, kyiv_date
from ppcore.logging import get_logger
from ppcore.personal_data import may_see_contacts_of
from ppcore.policy_book import PolicyBook, status_policy_follower
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
    # R-POL-01: the ranking weights of the policy version in force today (status schedules them).
    policies = PolicyBook(platform.policy)

    def uow_factory() -> GatewayUnitOfWork:
        policy = policies.on(kyiv_date(platform.clock.now()))
        return GatewayUnitOfWork(platform.db, platform.tables, policy=policy, **options)

    status_channel = platform.channel(settings.status_address)
    status = StatusClient(status_channel)
    points = PointsClient(platform.channel(settings.points_address), within_days=settings.cabinet_expiring_within_days)
    licensing = LicensingClient(platform.channel(settings.licensing_address))
    compliance = ComplianceClient(platform.channel(settings.compliance_address))
    # Each backend call of the view, the sections it answers and the backend (whose deadline applies).
    backend_reads: Sequence[tuple[SectionsRead, str]] = (
        (status.view_read(), "status"),
        (points.view_read(), "points"),
        (one_section(Section.NFR, licensing.holdings), "licensing"),
        (one_section(Section.SANCTIONS, compliance.active_sanctions), "compliance"),
    )
    cache = SectionCache(max_entries=settings.cabinet_cache_entries, max_age_seconds=settings.cabinet_cache_seconds)
    feed = InvalidationFeed(
        platform.bus, cache, [backend for _read, backend in backend_reads], program_clock=platform.program_clock
    )
    read_context = ReadContext(
        program_date=lambda: kyiv_date(platform.clock.now()),
        sees_contacts=lambda partner_id: may_see_contacts_of(current_caller(), partner_id),
        live=feed.live,
        counted=count_view_cache_lookup,
    )
    reads = [(cached_sections_read(read, backend, cache, read_context), backend) for read, backend in backend_reads]
    servicer = GatewayServicer(
        uow_factory,
        reads=[read for read, _backend in reads],
        section_deadlines={
            section: settings.backend_deadline(backend) for read, backend in reads for section in read.sections
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

    refresh_seconds = settings.policy_versions_refresh_seconds

    async def rescore_after_policy_change(stop: asyncio.Event) -> None:
        """At start and whenever another policy version comes into force, rescore the partners
        scored with other weights (one small query when none are)."""
        while not stop.is_set():
            rescored = await rescore_stale(uow_factory)
            if rescored:
                version = policies.on(kyiv_date(platform.clock.now())).version
                log.info("gateway.directory.rescored", partners=rescored, policy_version=version)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=refresh_seconds)

    follow_versions = status_policy_follower(
        policies,
        status_channel,
        deadline_seconds=settings.entitlement_deadline_seconds * 10,
        interval_seconds=refresh_seconds,
    )
    app = platform.server(
        services=[service],
        consumers=build_consumers(platform.bus, uow_factory, max_attempts=settings.consumer_max_deliver),
        background=[follow_versions, rescore_after_policy_change, *([feed.run] if cache.enabled else [])],
    )
    transcoder = Transcoder(api_services(), timeout_seconds=settings.http_call_timeout_seconds)
    web = build_web_pages(settings, platform) if settings.web_enabled else None
    http = HttpServer(
        create_http_app(
            api_routes=api_routes(transcoder),
            extra_routes=[*http_routes, *([web_mount(web.app)] if web else [])],
            cors_origins=settings.http_cors_origins,
        ),
        host=settings.http_host,
        port=settings.http_port,
        grace_seconds=settings.shutdown_grace_seconds,
        reuse_port=settings.processes > 1,
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
        if web:
            web.backends.attach_gateway(
                loopback_target(settings.grpc_host, app.bound_port),
                server_name=settings.http_loopback_server_name if tls else None,
            )
        try:
            await http.run(stop)
        finally:
            await channel.close()
            if web:
                await web.backends.close()

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


@dataclass
class WebPages:
    app: Starlette
    backends: Backends


def build_web_pages(settings: GatewaySettings, platform: Platform) -> WebPages:
    """The web pages: their own channels (carrying the signed-in person's token, never the
    gateway's), the process's token issuer, clock and policy."""
    s = settings
    tls = ClientTls(s.tls_ca_file, s.tls_cert_file, s.tls_key_file) if s.tls_ca_file else None
    backends = Backends.open(
        Addresses(
            status=s.status_address,
            points=s.points_address,
            licensing=s.licensing_address,
            compliance=s.compliance_address,
        ),
        tls=tls,
    )
    if s.web_session_secret is None:
        log.warning("gateway.web.session_secret_ephemeral", hint="set GATEWAY_WEB_SESSION_SECRET")
    config = WebConfig(
        session_secret=s.web_session_secret.get_secret_value() if s.web_session_secret else secrets.token_urlsafe(32),
        dev_signin=s.web_dev_signin,
        oidc_issuer_url=s.web_oidc_issuer_url,
        oidc_client_id=s.web_oidc_client_id,
        oidc_client_secret=s.web_oidc_client_secret.get_secret_value() if s.web_oidc_client_secret else "",
        oidc_staff_group=s.web_oidc_staff_group,
        secure_cookies=s.web_secure_cookies,
        demo_logins=tuple(
            (login.strip(), what.strip()) for login, _, what in (item.partition("=") for item in s.web_demo_logins)
        ),
    )
    if config.dev_signin:
        log.warning("gateway.web.dev_signin_enabled")
    app = build_web(config, backends=backends, issuer=platform.issuer, clock=platform.clock, policy=platform.policy)
    return WebPages(app=app, backends=backends)
