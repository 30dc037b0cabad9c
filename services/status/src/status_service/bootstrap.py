"""The composition root of the status process: everything is built here, from settings."""

from __future__ import annotations

from datetime import date
from functools import partial

from partnerprogram.status.v1 import status_service_pb2, status_service_pb2_grpc
from ppcore.clock import Clock, job_instant
from ppcore.runtime import Platform
from ppcore.server import GrpcService, ServerApp
from status_service.adapters.orm import platform_tables
from status_service.adapters.uow import StatusUnitOfWork
from status_service.config import StatusSettings
from status_service.entrypoints.access import ACCESS
from status_service.entrypoints.consumers import build_consumers
from status_service.entrypoints.servicer import StatusServicer
from status_service.service_layer.daily import await_points_totals, run_daily_review, totals_read_by_review
from status_service.service_layer.entitlement import EntitlementReader

# How long one round of the embedded review waits for points' totals before the scheduler
# retries the date (after its tick or the next move of program time).
POINTS_TOTALS_WAIT_SECONDS = 60.0


async def build_app(settings: StatusSettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("status", settings, platform_tables, clock=clock)
    await platform.connect()
    uow_factory = partial(StatusUnitOfWork, platform.db, platform.tables, **platform.uow_options())
    entitlements = EntitlementReader(platform.db, platform.policy)
    servicer = StatusServicer(
        uow_factory=uow_factory, clock=platform.clock, policy=platform.policy, entitlements=entitlements
    )
    service = GrpcService(
        descriptor=status_service_pb2.DESCRIPTOR.services_by_name["StatusService"],
        servicer=servicer,
        add_to_server=status_service_pb2_grpc.add_StatusServiceServicer_to_server,
        access=ACCESS,
    )
    consumers = build_consumers(platform.bus, uow_factory, platform.policy, max_attempts=settings.consumer_max_deliver)
    background = []
    if settings.scheduler_enabled:
        hour, minute = settings.daily_review_hour, settings.daily_review_minute

        async def daily_job(business_date: date) -> None:
            needed = totals_read_by_review(business_date, hour, minute, platform.policy)
            await await_points_totals(uow_factory, needed, wait_seconds=POINTS_TOTALS_WAIT_SECONDS)
            await run_daily_review(uow_factory, job_instant(business_date, platform.clock.now()), platform.policy)

        scheduler = platform.daily_scheduler(hour, minute, daily_job, "status.daily_review")
        background.append(scheduler.run)
    app = platform.server(services=[service], consumers=consumers, background=background)
    app.on_shutdown.insert(0, entitlements.close)
    return app
