"""The daily yearly-renewals job of embedded runs (Kubernetes calls RunYearlyRenewals instead)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.service_layer.context import Toolkit
from licensing_service.service_layer.renewals import run_yearly_renewals
from ppcore.logging import get_logger

log = get_logger("licensing.jobs")


def yearly_renewals_job(
    uow_factory: Callable[[], LicensingUnitOfWork], tools: Toolkit
) -> Callable[[date], Awaitable[None]]:
    async def job(day: date) -> None:
        async with uow_factory() as uow:
            counts = await run_yearly_renewals(uow, tools, day)
            await uow.commit()
        log.info("licensing.renewals.done", business_date=day.isoformat(), **vars(counts))

    return job
