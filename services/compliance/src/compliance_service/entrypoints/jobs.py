"""The automatic sanction lift (R-SAN-01), run every few minutes inside the process, and
the daily personal-data deadline check (R-PD-05).

Sanctions end at 00:00 Kyiv of their end date; a lift is dated at that end whenever the
round notices it, so the interval only bounds how late consumers hear of it; a move of
program time wakes the round at once. Kubernetes may instead run a CronJob calling the
RunSanctionLifts RPC with the scheduler disabled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.service_layer import personal_data, sanctions
from compliance_service.service_layer.deps import Deps
from ppcore.logging import get_logger
from ppcore.scheduler import MovableClock

log = get_logger("compliance.jobs")


class SanctionLiftJob:
    def __init__(
        self,
        uow_factory: Callable[[], ComplianceUnitOfWork],
        deps: Deps,
        interval_seconds: float,
        *,
        moves: MovableClock | None = None,
    ) -> None:
        self._uow = uow_factory
        self._deps = deps
        self._interval = interval_seconds
        self._moves = moves

    async def run_once(self) -> int:
        async with self._uow() as uow:
            lifted = await sanctions.lift_ended_sanctions(uow, self._deps)
            await uow.commit()
        for sanction in lifted:
            log.info(
                "compliance.sanction.lifted_at_end",
                sanction_id=sanction.sanction_id,
                partner_id=sanction.partner_id,
                kind=sanction.kind.value,
            )
        return len(lifted)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:
                log.exception("compliance.sanction.lift_failed", error=str(exc))
            waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
            if self._moves is not None:
                waits.append(asyncio.ensure_future(self._moves.moved()))
            await asyncio.wait(waits, timeout=self._interval, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()


def personal_data_deadlines_job(
    uow_factory: Callable[[], ComplianceUnitOfWork],
) -> Callable[[date], Awaitable[None]]:
    """R-PD-05: each day, name the personal-data requests past their deadline on that date,
    so staff are told (the staff list reads the same query)."""

    async def job(day: date) -> None:
        async with uow_factory() as uow:
            overdue = await personal_data.overdue(uow, day, offset=0, limit=1000)
        for request in overdue:
            log.warning(
                "compliance.personal_data.overdue",
                business_date=day.isoformat(),
                pd_request_id=request.pd_request_id,
                partner_id=request.partner_id,
                due_date=request.due_date.isoformat(),
            )

    return job
