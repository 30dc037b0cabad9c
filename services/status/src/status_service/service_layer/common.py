"""What every use case on a partner shares: load it, gather its facts, re-evaluate, save."""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import not_found
from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork, publish_recorded
from status_service.domain.certificates import courses_by_login
from status_service.domain.partner import Partner
from status_service.domain.policy_versions import policy_in_force
from status_service.domain.status_engine import evaluate_status, partner_status_facts
from status_service.domain.status_record import StatusHistoryEntry
from status_service.domain.status_rules import StatusFacts


async def load_partner(uow: StatusUnitOfWork, partner_id: str, *, for_update: bool = True) -> Partner:
    partner = await uow.partners.get(partner_id, for_update=for_update)
    if partner is None:
        raise not_found("partner", partner_id)
    return partner


async def courses_of(uow: StatusUnitOfWork, partner: Partner) -> dict[str, frozenset[str]]:
    """Active courses of the logins attached to the partner; others never count (R-EMP-06)."""
    return courses_by_login(await uow.certificates.of_logins(partner.roster.logins()))


async def status_facts(uow: StatusUnitOfWork, partner: Partner, today: date, policy: ProgramPolicy) -> StatusFacts:
    return partner_status_facts(partner, await courses_of(uow, partner), today, policy)


async def reevaluate(
    uow: StatusUnitOfWork, partner: Partner, now: datetime, policy: ProgramPolicy
) -> list[StatusHistoryEntry]:
    """Run the status engine after a relevant change (R-STS-04/05), under the version in force today (R-POL-01)."""
    policy = policy_in_force(policy, await uow.policy_versions.every(), kyiv_date(now))
    facts = await status_facts(uow, partner, kyiv_date(now), policy)
    return evaluate_status(partner, facts, now, policy)


async def save(uow: StatusUnitOfWork, partner: Partner, now: datetime, *, new: bool = False) -> None:
    """Persist the partner (with its entitlement rows) and queue its events in the outbox."""
    if new:
        await uow.partners.add(partner, kyiv_date(now))
    else:
        await uow.partners.save(partner, kyiv_date(now))
    publish_recorded(uow, partner.events)
