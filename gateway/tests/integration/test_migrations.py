"""The gateway migrations go up, down and up again on PostgreSQL and SQLite, and leave
exactly the schema the ORM declares."""

from pathlib import Path

import pytest

from gateway_service.__main__ import MIGRATIONS_DIR
from gateway_service.adapters.orm import metadata
from ppcore.testing.migrations import assert_round_trip

GATEWAY_TABLES = {
    "directory_partners",
    "directory_competencies",
    "ranking_items",
    "partner_logins",
    "login_certificates",
    "partner_sanctions",
}


async def _round_trip(url: str) -> None:
    await assert_round_trip(MIGRATIONS_DIR, url, GATEWAY_TABLES, metadata=metadata)


@pytest.mark.postgres
async def test_migrations_round_trip_on_postgres(make_pg_database):
    await _round_trip(await make_pg_database())


async def test_migrations_round_trip_on_sqlite(tmp_path: Path):
    await _round_trip(f"sqlite:///{tmp_path / 'gateway.db'}")
