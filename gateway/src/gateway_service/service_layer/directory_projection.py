"""Use cases that keep the directory read model current from the producers' events.

Each runs inside the consumer's unit of work (which records the event as handled and
commits); none commits itself. Every change of a ranking fact rescores the partner with
the policy weights, so the listing is one indexed query (R-CARD-03).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from gateway_service.adapters.orm import DirectoryPartnerRow
from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.cities import canonical_city
from gateway_service.domain.listing import (
    ListingSanction,
    RankingItemKind,
    SanctionPeriod,
    card_complete,
    certified_employee_count,
)
from gateway_service.domain.ranking import RankingFacts, ranking_score
from ppcore.logging import get_logger
from ppcore.policy import ProgramPolicy, Tier

log = get_logger("gateway.directory")

_COUNTERS = {
    RankingItemKind.PROJECT: "projects",
    RankingItemKind.MONITORED_PROJECT: "monitored_projects",
    RankingItemKind.MARKETING_ACTIVITY: "marketing_activity",
}


@dataclass(frozen=True)
class PublishedCard:
    description: str
    logo_ref: str
    phone: str
    office_address: str
    website_url: str
    eligible: bool
    missing_items: tuple[str, ...]
    office_city: str = ""  # the card's office city, any spelling; "" keeps the questionnaire's
    city_key: str = ""  # status's canonical key of the partner's city ("" from an older event)


async def _touch(uow: GatewayUnitOfWork, partner_id: str, **values: object) -> None:
    now = uow.clock.now()
    await uow.directory.ensure_partner(partner_id, now)
    await uow.directory.update_partner(partner_id, now, **values)


def _score(row: DirectoryPartnerRow, policy: ProgramPolicy) -> float:
    facts = RankingFacts(
        tier=Tier(row.tier) if row.tier else None,
        projects=row.projects,
        monitored_projects=row.monitored_projects,
        marketing_activity=row.marketing_activity,
        certified_employees=row.certified_employees,
        active_points=Decimal(row.active_points),
    )
    return ranking_score(facts, policy.ranking)


async def rescore(uow: GatewayUnitOfWork, partner_id: str) -> None:
    row = await uow.directory.get(partner_id)
    if row is None:
        return
    await uow.directory.update_partner(
        partner_id, uow.clock.now(), score=_score(row, uow.policy), score_policy_version=uow.policy.version
    )


async def partner_approved(
    uow: GatewayUnitOfWork, partner_id: str, company_name: str, city: str, tier: Tier, city_key: str = ""
) -> None:
    """R-LEAD-01: the key is status's (the event's); an older event without one is keyed here
    by the same canonicaliser (``ppcore.cities``)."""
    key = city_key or canonical_city(city)
    await _touch(uow, partner_id, company_name=company_name, city=city, city_key=key, tier=tier.value)
    await rescore(uow, partner_id)


async def tier_changed(uow: GatewayUnitOfWork, partner_id: str, tier: Tier) -> None:
    await _touch(uow, partner_id, tier=tier.value)
    await rescore(uow, partner_id)


async def card_published(uow: GatewayUnitOfWork, partner_id: str, card: PublishedCard) -> None:
    """R-CARD-01/02: the published card is what the list shows, when it has every item.

    R-LEAD-01: the card's office city, when given, is the partner's city from now on."""
    city: dict[str, str] = {}
    if card.office_city or card.city_key:
        city["city_key"] = card.city_key or canonical_city(card.office_city)
    if card.office_city:
        city["city"] = card.office_city
    await _touch(
        uow,
        partner_id,
        **city,
        description=card.description,
        logo_ref=card.logo_ref,
        phone=card.phone,
        office_address=card.office_address,
        website_url=card.website_url,
        card_complete=card_complete(card.eligible, card.missing_items),
    )
    await rescore(uow, partner_id)


async def competency_changed(uow: GatewayUnitOfWork, partner_id: str, code: str, *, granted: bool) -> None:
    """R-CMP-04: badges, and the filter of the list."""
    await _touch(uow, partner_id)
    if granted:
        await uow.directory.add_competency(partner_id, code)
    else:
        await uow.directory.remove_competency(partner_id, code)


async def partner_terminated(uow: GatewayUnitOfWork, partner_id: str) -> None:
    await _touch(uow, partner_id, terminated=True)


async def item_counted(uow: GatewayUnitOfWork, partner_id: str, kind: RankingItemKind, item_id: str) -> None:
    """R-CARD-03: projects, monitored projects and marketing activities, each counted once."""
    await _touch(uow, partner_id)
    count = await uow.directory.add_ranking_item(partner_id, kind.value, item_id)
    await uow.directory.update_partner(partner_id, uow.clock.now(), **{_COUNTERS[kind]: count})
    await rescore(uow, partner_id)


async def active_total_changed(uow: GatewayUnitOfWork, partner_id: str, total: Decimal) -> None:
    await _touch(uow, partner_id, active_points=total)
    await rescore(uow, partner_id)


async def _recount_certified(uow: GatewayUnitOfWork, partner_id: str) -> None:
    """R-EMP-06: attached logins holding the certified-status courses."""
    logins = await uow.directory.logins_of(partner_id)
    courses = await uow.directory.courses_by_login(logins)
    count = certified_employee_count(logins, courses, uow.policy.required_courses(Tier.CERTIFIED))
    await _touch(uow, partner_id, certified_employees=count)
    await rescore(uow, partner_id)


async def login_attached(uow: GatewayUnitOfWork, partner_id: str, login: str) -> None:
    await uow.directory.attach_login(partner_id, login)
    await _recount_certified(uow, partner_id)


async def login_detached(uow: GatewayUnitOfWork, partner_id: str, login: str) -> None:
    await uow.directory.detach_login(partner_id, login)
    await _recount_certified(uow, partner_id)


async def certificate_changed(
    uow: GatewayUnitOfWork, certificate_id: str, login: str, course_code: str, *, revoked: bool
) -> None:
    await uow.directory.put_certificate(certificate_id, login, course_code, revoked=revoked)
    for partner_id in await uow.directory.partners_of_login(login):
        await _recount_certified(uow, partner_id)


async def sanction_changed(
    uow: GatewayUnitOfWork, sanction_id: str, partner_id: str, kind: ListingSanction, period: SanctionPeriod
) -> None:
    """R-SAN-05/06/07: kept with its dates; whether it holds is decided on the day asked."""
    await uow.directory.put_sanction(sanction_id, partner_id, kind.value, period)


async def erase_person(
    uow: GatewayUnitOfWork, *, login: str, phone: str, new_pseudonym: Callable[[], str] | None = None
) -> None:
    """R-PD-03: the login becomes a pseudonym (its certificates keep counting) and a card
    phone equal to the person's is cleared."""
    if login:
        pseudonym = (new_pseudonym or (lambda: f"erased-{uuid.uuid4().hex}"))()
        await uow.directory.rename_login(login, pseudonym)
    if phone:
        await uow.directory.clear_phone(phone, uow.clock.now())
    log.info("gateway.personal_data.erased", login_given=bool(login), phone_given=bool(phone))


async def rescore_stale(uow_factory: Callable[[], GatewayUnitOfWork], *, batch: int = 500) -> int:
    """After a policy change, rescore every partner scored with other weights (R-POL-01)."""
    done = 0
    while True:
        async with uow_factory() as uow:
            rows = await uow.directory.stale_scores(uow.policy.version, batch)
            now = uow.clock.now()
            for row in rows:
                await uow.directory.update_partner(
                    row.partner_id, now, score=_score(row, uow.policy), score_policy_version=uow.policy.version
                )
            await uow.commit()
        done += len(rows)
        if len(rows) < batch:
            return done
