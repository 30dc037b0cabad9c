"""The partner cabinet: a parallel fan-out to the backends, a deadline per section (R-CARD-04).

Every section the viewer may see is read at once, each under its backend's deadline;
whatever has not answered by then is cancelled and reported missing, so the answer comes
within the largest deadline. A failure of one backend never fails the cabinet. Sections
the viewer's role may not see are not read at all (R-EMP-03).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.cabinet import (
    NOT_ANSWERED,
    CabinetView,
    Section,
    SectionOutcome,
    Viewer,
    compose_cabinet,
    forbidden_sections,
)
from gateway_service.domain.listing import ListingSanction, in_force
from gateway_service.service_layer.ports import BackendFailure, SectionRead
from ppcore.clock import kyiv_date
from ppcore.errors import PermissionDenied
from ppcore.logging import get_logger

log = get_logger("gateway.cabinet")


async def _within(read: SectionRead, partner_id: str, deadline: float) -> object:
    async with asyncio.timeout(deadline):
        return await read(partner_id, deadline)


async def get_partner_cabinet(
    partner_id: str,
    reads: Mapping[Section, SectionRead],
    *,
    deadline_seconds: float | Mapping[Section, float],
    viewer: Viewer | None = None,
) -> CabinetView:
    forbidden = forbidden_sections(viewer or Viewer())

    def deadline(section: Section) -> float:
        return deadline_seconds if isinstance(deadline_seconds, float | int) else deadline_seconds[section]

    tasks: dict[Section, asyncio.Task[object]] = {
        section: asyncio.create_task(_within(read, partner_id, deadline(section)))
        for section, read in reads.items()
        if section not in forbidden
    }
    if tasks:
        await asyncio.wait(tasks.values())
    outcomes: dict[Section, SectionOutcome[object]] = {
        section: SectionOutcome.refused(why) for section, why in forbidden.items()
    }
    for section, task in tasks.items():
        outcomes[section] = _outcome(section, task)
    view = compose_cabinet(partner_id, outcomes)
    if view.partial:
        log.warning("gateway.cabinet.partial", missing=[s.value for s in view.missing])
    return view


def _outcome(section: Section, task: asyncio.Task[object]) -> SectionOutcome[object]:
    error = task.exception()
    if error is None:
        return SectionOutcome.answered(task.result())
    if isinstance(error, TimeoutError):
        return SectionOutcome.failed(NOT_ANSWERED)
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
