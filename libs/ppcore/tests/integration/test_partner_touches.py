"""A partner's data changed without an event naming it: the unit of work announces it at commit.

The gateway's partner-view cache (R-CARD-04) is kept exact by events, so every write of a
partner's data must leave one: the service's ``PartnerDataChanged`` when nothing else names
the partner in the same transaction, in the same outbox (never without the change).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message

from partnerprogram.echo.v1.echo_service_pb2 import EchoRequest
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore.clock import SystemClock
from ppcore.db import Database, add_platform_tables, make_metadata
from ppcore.events import Naming
from ppcore.uow import SqlUnitOfWork

metadata = make_metadata()
tables = add_platform_tables(metadata)


class TouchingUnitOfWork(SqlUnitOfWork):
    def partner_changed_event(self, partner_id: str) -> Message:
        return EchoRequest(payload=f"changed {partner_id}".encode())


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'touches.db'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


def uow(db: Database) -> TouchingUnitOfWork:
    return TouchingUnitOfWork(db, tables, source="echo", naming=Naming(), clock=SystemClock())


async def outbox(db: Database) -> list[tuple[str, bytes]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(sa.select(tables.outbox.c.partner_id, tables.outbox.c.envelope))
        return [(row.partner_id, EventEnvelope.FromString(row.envelope).payload.value) for row in rows]


async def test_a_touched_partner_no_event_names_is_announced_once_at_commit(db: Database) -> None:
    async with uow(db) as work:
        work.touched("p1")
        work.touched("p1")
        work.touched("p2")
        work.publish(EchoRequest(payload=b"own event"), partner_id="p2")
        await work.commit()
    found = await outbox(db)
    assert sorted(partner for partner, _ in found) == ["p1", "p2"]
    assert (("p1", EchoRequest(payload=b"changed p1").SerializeToString())) in found


async def test_nothing_is_announced_for_a_rolled_back_change(db: Database) -> None:
    async with uow(db) as work:
        work.touched("p1")
        await work.rollback()
    async with uow(db) as work:
        await work.commit()
    assert await outbox(db) == []


async def test_a_service_without_the_event_announces_nothing(db: Database) -> None:
    async with SqlUnitOfWork(db, tables, source="echo", naming=Naming(), clock=SystemClock()) as work:
        work.touched("p1")
        await work.commit()
    assert await outbox(db) == []
