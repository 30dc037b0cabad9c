"""Status engine, competencies and the facts from points (R-STS-*, R-CMP-*, R-QM-05)."""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain import competency_decisions
from status_service.domain.competencies import HeldCompetency
from status_service.domain.status_engine import StatusView, record_active_points, status_view
from status_service.domain.status_record import StatusHistoryEntry
from status_service.service_layer.common import load_partner, reevaluate, save, status_facts


async def evaluate(
    uow: StatusUnitOfWork, partner_id: str, now: datetime, policy: ProgramPolicy
) -> tuple[list[StatusHistoryEntry], StatusView]:
    partner = await load_partner(uow, partner_id)
    entries = await reevaluate(uow, partner, now, policy)
    view = status_view(partner, await status_facts(uow, partner, kyiv_date(now), policy), policy)
    await save(uow, partner, now)
    return entries, view


async def view(uow: StatusUnitOfWork, partner_id: str, today: date, policy: ProgramPolicy) -> StatusView:
    """Status, grant date, valid-until and the checklist (R-STS-04/05, R-CARD-04)."""
    partner = await load_partner(uow, partner_id, for_update=False)
    return status_view(partner, await status_facts(uow, partner, today, policy), policy)


async def grant_competency(
    uow: StatusUnitOfWork, partner_id: str, code: str, now: datetime, policy: ProgramPolicy
) -> HeldCompetency:
    partner = await load_partner(uow, partner_id)
    held = competency_decisions.grant_competency(partner, code, now, policy)
    await save(uow, partner, now)
    return held


async def revoke_competency(
    uow: StatusUnitOfWork, partner_id: str, code: str, reason: str, now: datetime, policy: ProgramPolicy
) -> bool:
    partner = await load_partner(uow, partner_id)
    revoked = competency_decisions.revoke_competency(partner, code, reason, now, policy)
    await save(uow, partner, now)
    return revoked


async def active_total_changed(
    uow: StatusUnitOfWork, partner_id: str, total: int, as_of: date, now: datetime, policy: ProgramPolicy
) -> None:
    """The daily total from points (R-PTS-05) drives automatic upgrades (R-STS-04)."""
    partner = await uow.partners.get(partner_id, for_update=True)
    if partner is None:
        return  # a total for a partner this service never approved: nothing to decide
    if record_active_points(partner, total, as_of):
        await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)


async def monitoring_completed(
    uow: StatusUnitOfWork, partner_id: str, project_id: str, completed: date, now: datetime, policy: ProgramPolicy
) -> None:
    """Monitoring facts for Gold (R-STS-03) and the quality-monitoring badge (R-CMP-03, R-QM-05)."""
    partner = await uow.partners.get(partner_id, for_update=True)
    if partner is None:
        return
    competency_decisions.record_monitoring_completion(partner, project_id, completed, now, policy)
    await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)
