"""The embedded daily scheduler runs the yearly checks for the Kyiv date (R-NFR-03, R-POL-02)."""

import asyncio
import itertools
import random
from datetime import date

import pytest

from licensing_service.adapters.orm import platform_tables
from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.entrypoints.jobs import yearly_renewals_job
from licensing_service.service_layer.context import Toolkit
from partnerprogram.licensing.v1 import events_pb2 as ev
from ppcore.clock import kyiv_datetime
from ppcore.policy_book import PolicyBook
from ppcore.scheduler import DailyScheduler

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_daily_scheduler_lapses_unconfirmed_status_keys(licensing, helpers, policy):
    """R-NFR-03: the day after the last valid day, the scheduled run lapses keys nobody confirmed."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    licensing.clock.set(kyiv_datetime(date(2027, 3, 3), 0, 45))
    ids = itertools.count(1)
    tools = Toolkit(PolicyBook(policy), licensing.clock, lambda: f"job-{next(ids)}", random.Random(1).randbytes)

    def uow_factory() -> LicensingUnitOfWork:
        return LicensingUnitOfWork(
            licensing.db, platform_tables, source="licensing", naming=licensing.naming, clock=licensing.clock
        )

    stop = asyncio.Event()
    scheduler = DailyScheduler(licensing.clock, 0, 30, yearly_renewals_job(uow_factory, tools), "test", tick=0.05)
    task = asyncio.create_task(scheduler.run(stop))
    try:
        lapsed = await licensing.tap.wait_for(ev.NfrKeyLapsed, count=2)
    finally:
        stop.set()
        await task
    assert {e.valid_until_date for e in lapsed} == {"2027-03-02"}
    assert await licensing.scalar("SELECT count(*) FROM nfr_grants WHERE state = 'LAPSED'") == 2
