"""The composition root of the compliance process: everything is built here, from settings."""

from __future__ import annotations

from functools import partial

from compliance_service.adapters.orm import platform_tables
from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.config import ComplianceSettings
from compliance_service.entrypoints.access import ACCESS
from compliance_service.entrypoints.consumers import consumer_tasks
from compliance_service.entrypoints.jobs import SanctionLiftJob, personal_data_deadlines_job
from compliance_service.entrypoints.servicer import ComplianceServicer
from compliance_service.service_layer.deps import Deps
from compliance_service.service_layer.pricing import PriceList
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as pb_grpc
from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import GrpcService, ServerApp


async def build_app(settings: ComplianceSettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("compliance", settings, platform_tables, clock=clock)
    await platform.connect()
    uow_factory = partial(ComplianceUnitOfWork, platform.db, platform.tables, **platform.uow_options())
    deps = Deps(clock=platform.clock, policy=platform.policy)
    service = GrpcService(
        descriptor=pb.DESCRIPTOR.services_by_name["ComplianceService"],
        servicer=ComplianceServicer(uow_factory, deps, PriceList(platform.policy)),
        add_to_server=pb_grpc.add_ComplianceServiceServicer_to_server,
        access=ACCESS,
    )
    background = consumer_tasks(platform.bus, uow_factory, max_attempts=settings.consumer_max_deliver)
    if settings.scheduler_enabled:
        lifts = SanctionLiftJob(
            uow_factory, deps, settings.sanction_lift_interval_seconds, moves=platform.program_clock
        )
        background.append(lifts.run)
        deadlines = personal_data_deadlines_job(uow_factory)
        background.append(platform.daily_scheduler(8, 0, deadlines, "compliance.personal_data_deadlines").run)
    return platform.server(services=[service], background=background)
