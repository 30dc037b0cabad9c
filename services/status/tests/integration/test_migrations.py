"""The status migrations go up, down and up again on PostgreSQL and SQLite."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from ppcore.db import async_url
from ppcore.migrations import upgrade_async
from ppcore.testing.migrations import assert_round_trip

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
TABLES = {
    "applications",
    "partners",
    "employees",
    "certificates",
    "status_history",
    "entitlements",
    "leads",
    "lead_offers",
}


async def _round_trip(url: str) -> None:
    await assert_round_trip(MIGRATIONS_DIR, url, TABLES)


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database: Callable[[], Awaitable[str]]) -> None:
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    await _round_trip(f"sqlite:///{tmp_path / 'status.db'}")


async def test_partner_city_key_is_backfilled_from_the_card_office(tmp_path: Path) -> None:
    """R-LEAD-01: status_0004 gives existing partners the canonical key of their card office
    city (else the questionnaire's), so the city filter matches any spelling at once."""
    url = f"sqlite:///{tmp_path / 'status.db'}"
    await upgrade_async(MIGRATIONS_DIR, url, "status_0003")
    engine = create_async_engine(async_url(url))
    columns = (
        "partner_id, application_id, company_name, legal_form, city, approved_date, tier, granted_date, granted_at,"
        " confirmations, active_points, termination_completed, has_sanctions, competency_codes, document, version"
    )
    row = "'{pid}', 'a', 'Studio', 'LEGAL_ENTITY', '{city}', '2026-03-02', 'BUSINESS', '2026-03-02', '2026-03-02 09:00:00', 0, 0, 0, 0, ',', '{doc}', 1"
    office = json.dumps({"card": {"published": {"office_city": "м. Київ"}}})
    try:
        async with engine.begin() as conn:
            for pid, city, doc in (("p-office", "Lviv", office), ("p-plain", "Київ", "{}"), ("p-lviv", "Львів", "{}")):
                await conn.execute(
                    sa.text(f"INSERT INTO partners ({columns}) VALUES ({row.format(pid=pid, city=city, doc=doc)})")
                )
        await upgrade_async(MIGRATIONS_DIR, url)
        async with engine.connect() as conn:
            keys = dict((await conn.execute(sa.text("SELECT partner_id, city_key FROM partners"))).all())
    finally:
        await engine.dispose()
    assert keys == {"p-office": "kyiv", "p-plain": "kyiv", "p-lviv": "lviv"}
