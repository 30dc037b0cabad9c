"""The daily totals job (R-PTS-05) for the embedded scheduler; Kubernetes calls RunDailyTotals instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from points_service.adapters.uow import PointsUnitOfWork
from points_service.service_layer.daily_totals import run_daily_totals
from ppcore.clock import Clock
from ppcore.logging import get_logger
from ppcore.policy import ProgramPolicy

log = get_logger("points.daily_totals")


def daily_totals_job(
    uow_factory: Callable[[], PointsUnitOfWork], clock: Clock, policy: ProgramPolicy
) -> Callable[[date], Awaitable[None]]:
    async def job(business_date: date) -> None:
        async with uow_factory() as uow:
            run = await run_daily_totals(uow, business_date, now=clock.now(), policy=policy)
            await uow.commit()
        log.info(
            "points.daily_totals.ran",
            business_date=run.business_date.isoformat(),
            partners=run.partner_count,
            changed=run.changed_count,
        )

    return job
