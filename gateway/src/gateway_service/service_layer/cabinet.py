"""The partner cabinet: a parallel fan-out to the backends under one deadline (R-CARD-04).

Every section is read at once; whatever has not answered when the deadline passes is
cancelled and reported missing. A failure of one backend never fails the cabinet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.cabinet import NOT_ANSWERED, CabinetView, Section, SectionOutcome, compose_cabinet
from gateway_service.domain.listing import ListingSanction, in_force
from gateway_service.service_layer.ports import BackendFailure, SectionRead
from ppcore.clock import kyiv_date
from ppcore.errors import PermissionDenied
from ppcore.logging import get_logger

log = get_logger("gateway.cabinet")


async def get_partner_cabinet(
    partner_id: str, reads: Mapping[Section, SectionRead], *, deadline_seconds: float
) -> CabinetView:
    tasks: dict[Section, asyncio.Task[object]] = {
        section: asyncio.create_task(read(partner_id, deadline_seconds)) for section, read in reads.items()
    }
    _done, pending = await asyncio.wait(tasks.values(), timeout=deadline_seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    outcomes: dict[Section, SectionOutcome[object]] = {}
    for section, task in tasks.items():
        outcomes[section] = _outcome(section, task, timed_out=task in pending)
    view = compose_cabinet(partner_id, outcomes)
    if view.partial:
        log.warning("gateway.cabinet.partial", missing=[s.value for s in view.missing])
    return view


def _outcome(section: Section, task: asyncio.Task[object], *, timed_out: bool) -> SectionOutcome[object]:
    if timed_out:
        return SectionOutcome.failed(NOT_ANSWERED)
    error = task.exception()
    if error is None:
        return SectionOutcome.answered(task.result())
    if isinstance(error, BackendFailure):
        return SectionOutcome.failed(error.code)
    log.error(
        "gateway.cabinet.section_failed", section=section.value, error=str(error), error_type=type(error).__name__
    )
    return SectionOutcome.failed("INTERNAL")


async def ensure_cabinet_open(uow_factory: Callable[[], GatewayUnitOfWork], partner_id: str) -> None:
    """R-SAN-07: while a cabinet block holds, the partner's own users may not open the cabinet."""
    async with uow_factory() as uow:
        today = kyiv_date(uow.clock.now())
        blocks = await uow.directory.sanctions_of(partner_id, ListingSanction.CABINET_BLOCK.value)
    if any(in_force(block, today) for block in blocks):
        raise PermissionDenied(
            reason="CABINET_BLOCKED",
            message=f"partner_id: the cabinet of partner {partner_id} is blocked by a sanction",
            rule="R-SAN-07",
        )
