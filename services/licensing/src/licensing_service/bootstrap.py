"""The composition root of the licensing process: everything is built here, from settings."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from licensing_service.adapters.key_registry import key_facts_reader
from licensing_service.adapters.orm import platform_tables
from licensing_service.adapters.status_client import StatusClient
from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.config import LicensingSettings
from licensing_service.domain import IdFactory, RandomBytes
from licensing_service.entrypoints.access import ACCESS
from licensing_service.entrypoints.consumers import LicensingHandlers, subscriptions
from licensing_service.entrypoints.jobs import yearly_renewals_job
from licensing_service.entrypoints.servicer import LicensingServicer
from licensing_service.service_layer.context import Toolkit
from licensing_service.service_layer.ports import PartnerFactsPort
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from ppcore.clock import Clock
from ppcore.consumer import EventConsumer
from ppcore.policy_book import PolicyBook, status_policy_follower
from ppcore.runtime import Platform
from ppcore.server import BackgroundTask, GrpcService, ServerApp


def _new_id() -> str:
    return uuid.uuid4().hex


async def build_app(
    settings: LicensingSettings,
    *,
    clock: Clock | None = None,
    new_id: IdFactory = _new_id,
    random_bytes: RandomBytes = secrets.token_bytes,
    status: PartnerFactsPort | None = None,
) -> ServerApp:
    platform = Platform.create("licensing", settings, platform_tables, clock=clock)
    await platform.connect()
    policies = PolicyBook(platform.policy)
    tools = Toolkit(policies=policies, clock=platform.clock, new_id=new_id, random_bytes=random_bytes)

    def uow_factory() -> LicensingUnitOfWork:
        return LicensingUnitOfWork(platform.db, platform.tables, **platform.uow_options())

    status_channel = platform.channel(settings.status_address, deadline_seconds=settings.status_deadline_seconds)
    status_port = status or StatusClient(status_channel, deadline_seconds=settings.status_deadline_seconds)
    key_reader = key_facts_reader(platform.db)
    servicer = LicensingServicer(uow_factory, tools, key_reader, status_port)
    consumers: list[EventConsumer[Any]] = [
        EventConsumer(platform.bus, subscription, uow_factory, max_attempts=settings.consumer_max_deliver)
        for subscription in subscriptions(LicensingHandlers(tools))
    ]
    follow_versions = status_policy_follower(
        policies,
        status_channel,
        deadline_seconds=settings.status_deadline_seconds,
        interval_seconds=settings.policy_versions_refresh_seconds,
    )
    background: list[BackgroundTask] = [follow_versions]
    if settings.scheduler_enabled:
        hour, minute = settings.renewals_hour_minute
        job = yearly_renewals_job(uow_factory, tools)
        background.append(platform.daily_scheduler(hour, minute, job, "licensing.yearly_renewals").run)
    app = platform.server(
        services=[
            GrpcService(
                descriptor=pb.DESCRIPTOR.services_by_name["LicensingService"],
                servicer=servicer,
                add_to_server=pb_grpc.add_LicensingServiceServicer_to_server,
                access=ACCESS,
            )
        ],
        consumers=consumers,
        background=background,
    )
    app.on_shutdown.insert(0, key_reader.close)
    return app
