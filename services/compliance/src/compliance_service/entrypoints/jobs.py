"""The automatic sanction lift (R-SAN-01), run every few minutes inside the process.

Sanctions end at 00:00 Kyiv of their end date; a lift is dated at that end whenever the
round notices it, so the interval only bounds how late consumers hear of it. Kubernetes
may instead run a CronJob calling the RunSanctionLifts RPC with the scheduler disabled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.service_layer import sanctions
from compliance_service.service_layer.deps import Deps
from ppcore.logging import get_logger

log = get_logger("compliance.jobs")


class SanctionLiftJob:
    def __init__(self, uow_factory: Callable[[], ComplianceUnitOfWork], deps: Deps, interval_seconds: float) -> None:
        self._uow = uow_factory
        self._deps = deps
        self._interval = interval_seconds

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
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
            except TimeoutError:
                pass
