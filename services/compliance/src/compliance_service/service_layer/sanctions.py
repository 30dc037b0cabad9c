"""Use cases of sanctions: apply, lift early, lift at the end, and the read queries (R-SAN-01..10)."""

from __future__ import annotations

from datetime import date, datetime

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.domain import sanctions as domain
from compliance_service.domain.sanction_catalogue import SanctionKind, SanctionTerms
from compliance_service.domain.timeline import TimelineEntry, sanction_timeline
from compliance_service.domain.violators import ViolatorEntry, violators_list
from compliance_service.service_layer.cases import load_case
from compliance_service.service_layer.deps import Deps, ScopeCheck
from ppcore.clock import kyiv_date, kyiv_datetime
from ppcore.errors import not_found

# How many ended sanctions one lift round handles; the next round takes the rest.
LIFT_BATCH = 200


async def apply_sanction(
    uow: ComplianceUnitOfWork, deps: Deps, case_id: str, terms: SanctionTerms, *, actor: str
) -> domain.Sanction:
    """Attach a validated catalogue sanction to a confirmed case; the owner enforces it (R-SAN-01)."""
    case = await load_case(uow, case_id, for_update=True)
    sanction, event = domain.apply_sanction(
        case=case,
        terms=terms,
        partner_sanctions=await uow.sanctions.of_partner(case.partner_id),
        sanction_id=deps.new_id(),
        applied_by=actor,
        now=deps.clock.now(),
        policy=deps.policy,
    )
    uow.sanctions.add(sanction)
    uow.record(event)
    return sanction


async def lift_sanction(
    uow: ComplianceUnitOfWork, deps: Deps, sanction_id: str, *, note: str, actor: str
) -> domain.Sanction:
    """Staff lift a sanction before its end, saying why (R-SAN-01)."""
    sanction = await uow.sanctions.get(sanction_id, for_update=True)
    if sanction is None:
        raise not_found("sanction", sanction_id)
    event = domain.lift_early(
        sanction,
        note=note,
        lifted_by=actor,
        now=deps.clock.now(),
        partner_sanctions=await uow.sanctions.of_partner(sanction.partner_id),
        policy=deps.policy,
    )
    await uow.sanctions.save(sanction)
    uow.record(event)
    return sanction


async def lift_ended_sanctions(
    uow: ComplianceUnitOfWork, deps: Deps, *, as_of: datetime | None = None
) -> list[domain.Sanction]:
    """Lift every applied sanction whose end has come by ``as_of`` (now by default), dated
    at its end (R-SAN-01).

    Safe with several replicas: each lift is a conditional update, and only the replica
    whose update took publishes SanctionLifted.
    """
    now = as_of or deps.clock.now()
    candidates = await uow.sanctions.due_to_lift(kyiv_date(now), LIFT_BATCH)
    lifted: list[domain.Sanction] = []
    partner_sanctions: dict[str, list[domain.Sanction]] = {}
    for sanction in domain.sanctions_due_to_lift(candidates, now):
        if sanction.partner_id not in partner_sanctions:
            partner_sanctions[sanction.partner_id] = await uow.sanctions.of_partner(sanction.partner_id)
        event = domain.lift_at_end(
            sanction, partner_sanctions=partner_sanctions[sanction.partner_id], policy=deps.policy
        )
        if await uow.sanctions.claim_lift(sanction):
            uow.record(event)
            lifted.append(sanction)
    return lifted


async def timeline(uow: ComplianceUnitOfWork, partner_id: str, *, scope: ScopeCheck) -> list[TimelineEntry]:
    """A partner's sanction history, oldest first (R-SAN-01)."""
    scope(partner_id)
    return sanction_timeline(await uow.sanctions.of_partner(partner_id))


async def active_on(
    uow: ComplianceUnitOfWork,
    day: date,
    *,
    partner_id: str,
    kind: SanctionKind | None,
    after: tuple[date, str] | None,
    limit: int,
) -> list[domain.Sanction]:
    """Up to ``limit`` sanctions in force at 00:00 Kyiv of ``day`` (R-SAN-01), oldest start
    first, after the sanction keyed ``after``: the database filters, orders and bounds."""
    # The query states Sanction.is_active_at: started, not ended and not lifted at ``at``.
    at = kyiv_datetime(day)
    return await uow.sanctions.active_page(at, day, partner_id=partner_id, kind=kind, after=after, limit=limit)


async def violators(uow: ComplianceUnitOfWork, deps: Deps) -> list[ViolatorEntry]:
    """The public violators list as of now (R-SAN-06)."""
    now = deps.clock.now()
    listed = await uow.sanctions.started_by(kyiv_date(now), partner_id="", kind=SanctionKind.VIOLATORS_LIST)
    types = await uow.cases.violation_types([s.case_id for s in listed])
    return violators_list(listed, types, now)
