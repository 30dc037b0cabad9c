"""The partner cabinet: a parallel fan-out to the backends, a deadline per section (R-CARD-04).

Every section the viewer may see is read at once, each under its backend's deadline (one
call per backend where the backend answers several sections in one read);
whatever has not answered by then is cancelled and reported missing, so the answer comes
within the largest deadline. A failure of one backend never fails the cabinet. Sections
the viewer's role may not see are not read at all (R-EMP-03).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import cast

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
from gateway_service.service_layer.ports import BackendFailure, SectionsRead
from ppcore.clock import kyiv_date
from ppcore.errors import PermissionDenied
from ppcore.logging import get_logger

log = get_logger("gateway.cabinet")


async def _within(read: SectionsRead, partner_id: str, wanted: frozenset[Section], deadline: float) -> object:
    async with asyncio.timeout(deadline):
        return await read.read(partner_id, wanted, deadline)


async def get_partner_cabinet(
    partner_id: str,
    reads: Sequence[SectionsRead],
    *,
    deadline_seconds: float | Mapping[Section, float],
    viewer: Viewer | None = None,
) -> CabinetView:
    """One task per backend call (each answering one or more sections), all at once."""
    forbidden = forbidden_sections(viewer or Viewer())

    def deadline(sections: frozenset[Section]) -> float:
        if isinstance(deadline_seconds, float | int):
            return deadline_seconds
        return max(deadline_seconds[section] for section in sections)

    tasks: list[tuple[frozenset[Section], asyncio.Task[object]]] = []
    for read in reads:
        wanted = read.sections - forbidden.keys()
        if wanted:
            tasks.append((wanted, asyncio.create_task(_within(read, partner_id, wanted, deadline(wanted)))))
    if tasks:
        await asyncio.wait([task for _, task in tasks])
    outcomes: dict[Section, SectionOutcome[object]] = {
        section: SectionOutcome.refused(why) for section, why in forbidden.items()
    }
    for wanted, task in tasks:
        outcomes |= _outcomes(wanted, task)
    view = compose_cabinet(partner_id, outcomes)
    if view.partial:
        log.warning("gateway.cabinet.partial", missing=[s.value for s in view.missing])
    return view


def _outcomes(wanted: frozenset[Section], task: asyncio.Task[object]) -> dict[Section, SectionOutcome[object]]:
    """Each wanted section's outcome: its part of the answer, or the call's failure."""
    error = task.exception()
    if error is None:
        answer = cast(Mapping[Section, object], task.result())
        return {
            section: SectionOutcome.answered(answer[section]) if section in answer else _broken(section, "no answer")
            for section in wanted
        }
    if isinstance(error, TimeoutError):
        return dict.fromkeys(wanted, SectionOutcome.failed(NOT_ANSWERED))
    if isinstance(error, BackendFailure):
        return dict.fromkeys(wanted, SectionOutcome.failed(error.code))
    return {section: _broken(section, f"{type(error).__name__}: {error}") for section in wanted}


def _broken(section: Section, error: str) -> SectionOutcome[object]:
    log.error("gateway.cabinet.section_failed", section=section.value, error=error)
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
