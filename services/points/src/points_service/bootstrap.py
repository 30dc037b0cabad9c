"""The composition root of the points process: everything is built here, from settings."""

from __future__ import annotations

from partnerprogram.points.v1 import points_service_pb2, points_service_pb2_grpc
from points_service.adapters.active_total_reader import ActiveTotalReader
from points_service.adapters.licensing_client import GrpcKeyRegistry
from points_service.adapters.orm import platform_tables
from points_service.adapters.uow import PointsUnitOfWork
from points_service.config import PointsSettings
from points_service.entrypoints.access import ACCESS
from points_service.entrypoints.consumers import build_consumers
from points_service.entrypoints.jobs import daily_totals_job
from points_service.entrypoints.servicer import PointsServicer
from points_service.service_layer.ports import KeyRegistry
from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import BackgroundTask, GrpcService, ServerApp


async def build_app(
    settings: PointsSettings, *, clock: Clock | None = None, key_registry: KeyRegistry | None = None
) -> ServerApp:
    """``key_registry`` is a test seam; by default the licensing service is asked over gRPC."""
    platform = Platform.create("points", settings, platform_tables, clock=clock)
    await platform.connect()
    options = platform.uow_options()

    def uow_factory() -> PointsUnitOfWork:
        return PointsUnitOfWork(platform.db, platform.tables, **options)

    keys = key_registry or GrpcKeyRegistry(
        platform.channel(settings.licensing_address, deadline_seconds=settings.licensing_deadline_seconds),
        deadline_seconds=settings.licensing_deadline_seconds,
    )
    active_totals = ActiveTotalReader(platform.db)
    servicer = PointsServicer(
        uow_factory, clock=platform.clock, policy=platform.policy, keys=keys, active_totals=active_totals
    )
    service = GrpcService(
        descriptor=points_service_pb2.DESCRIPTOR.services_by_name["PointsService"],
        servicer=servicer,
        add_to_server=points_service_pb2_grpc.add_PointsServiceServicer_to_server,
        access=ACCESS,
    )
    background: list[BackgroundTask] = []
    if settings.scheduler_enabled:
        hour, minute = platform.policy.points.daily_total_hour_minute
        job = daily_totals_job(uow_factory, platform.clock, platform.policy)
        background.append(platform.daily_scheduler(hour, minute, job, "points.daily_totals").run)
    app = platform.server(
        services=[service],
        consumers=build_consumers(platform.bus, uow_factory, max_attempts=settings.consumer_max_deliver),
        background=background,
    )
    app.on_shutdown.insert(0, active_totals.close)
    return app
