"""The directory read model on both databases (same code on SQLite and PostgreSQL): the
projection use cases, their idempotent inserts, and the listing query (R-CARD-01/03,
R-CMP-04, R-SAN-05/06)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gateway_service.__main__ import MIGRATIONS_DIR
from gateway_service.adapters.orm import platform_tables
from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.listing import ListingSanction, RankingItemKind, SanctionPeriod
from gateway_service.service_layer import directory_projection as projection
from gateway_service.service_layer.directory_query import list_directory
from ppcore.db import Database
from ppcore.events import Naming
from ppcore.migrations import upgrade_async
from ppcore.policy import Tier

CARD = projection.PublishedCard(
    description="d", logo_ref="l", phone="p", office_address="o", website_url="w", eligible=True, missing_items=()
)


async def _exercise(url: str, clock, policy) -> None:
    await upgrade_async(MIGRATIONS_DIR, url)
    db = Database(url)

    def uow() -> GatewayUnitOfWork:
        return GatewayUnitOfWork(db, platform_tables, policy=policy, source="gateway", naming=Naming(), clock=clock)

    try:
        async with uow() as u:
            for partner, tier in (("a", Tier.BUSINESS), ("b", Tier.GOLD), ("c", Tier.CERTIFIED)):
                await projection.partner_approved(u, partner, f"{partner} LLC", "Kyiv", Tier.BUSINESS)
                await projection.tier_changed(u, partner, tier)
                await projection.card_published(u, partner, CARD)
            for _ in range(2):  # the same project twice counts once
                await projection.item_counted(u, "a", RankingItemKind.PROJECT, "prj-1")
            await projection.active_total_changed(u, "a", Decimal("500"))
            await projection.competency_changed(u, "a", "INTEGRATION_1C", granted=True)
            await projection.competency_changed(u, "a", "COMPOSITE_SITE", granted=True)
            await projection.competency_changed(u, "c", "COMPOSITE_SITE", granted=True)
            await projection.login_attached(u, "c", "anna")
            for course in policy.required_courses(Tier.CERTIFIED):
                await projection.certificate_changed(u, f"anna-{course}", "anna", course, revoked=False)
            await projection.sanction_changed(
                u, "s-1", "b", ListingSanction.PUBLIC_LIST_EXCLUSION, SanctionPeriod(date(2026, 3, 1), None)
            )
            await projection.sanction_changed(
                u, "s-2", "c", ListingSanction.VIOLATORS_LIST, SanctionPeriod(date(2026, 3, 1), None)
            )
            await u.commit()

        page = await list_directory(uow, competency_code="", limit=10)
        assert [e.partner_id for e in page.entries] == ["a", "c"]  # b is excluded (R-SAN-05)
        a, c = page.entries
        assert a.projects == 1 and a.active_points == Decimal(500)
        assert c.certified_employees == 1 and c.listed_as_violator and not a.listed_as_violator
        assert a.competency_codes == ("COMPOSITE_SITE", "INTEGRATION_1C")  # in code order (R-CMP-04)
        assert c.competency_codes == ("COMPOSITE_SITE",)
        assert page.policy_version == policy.version

        first = await list_directory(uow, competency_code="COMPOSITE_SITE", limit=1)
        assert first.has_more and first.cursor is not None and first.cursor[2] == 1
        filtered = await list_directory(uow, competency_code="COMPOSITE_SITE", limit=1, after=first.cursor)
        assert [e.partner_id for e in filtered.entries] == ["c"] and filtered.first_rank == 2
        assert not filtered.has_more and filtered.cursor is None

        async with uow() as u:  # a policy change leaves scores stale until rescored
            await u.directory.update_partner("a", clock.now(), score_policy_version="old")
            await u.commit()
        assert await projection.rescore_stale(uow) == 1
        assert await projection.rescore_stale(uow) == 0
    finally:
        await db.dispose()


async def test_read_model_on_sqlite(tmp_path: Path, clock, policy):
    await _exercise(f"sqlite:///{tmp_path / 'gateway.db'}", clock, policy)


@pytest.mark.postgres
async def test_read_model_on_postgres(make_pg_database, clock, policy):
    await _exercise(await make_pg_database(), clock, policy)
