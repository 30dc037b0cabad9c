"""Old platform rows are pruned; recent ones and unpublished events are kept."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ppcore.clock import FixedClock
from ppcore.db import Database, add_platform_tables, make_metadata
from ppcore.housekeeping import Housekeeping

pytestmark = [pytest.mark.postgres]


async def test_prunes_only_what_can_no_longer_matter(make_pg_database):
    metadata = make_metadata()
    tables = add_platform_tables(metadata)
    db = Database(await make_pg_database())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    old, recent = now - timedelta(days=40), now - timedelta(days=1)
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.insert(tables.outbox),
            [
                {"event_id": "published-old", "subject": "s", "envelope": b"", "created_at": old, "published_at": old},
                {
                    "event_id": "published-new",
                    "subject": "s",
                    "envelope": b"",
                    "created_at": recent,
                    "published_at": recent,
                },
                {
                    "event_id": "unpublished-old",
                    "subject": "s",
                    "envelope": b"",
                    "created_at": old,
                    "published_at": None,
                },
            ],
        )
        await conn.execute(
            sa.insert(tables.inbox),
            [
                {"consumer": "c", "event_id": "a", "handled_at": old},
                {"consumer": "c", "event_id": "b", "handled_at": recent},
            ],
        )
    removed = await Housekeeping(db, tables, FixedClock(now)).run_once()
    assert removed == {"outbox": 1, "inbox": 1, "idempotency_keys": 0}
    async with db.engine.connect() as conn:
        left = set((await conn.execute(sa.select(tables.outbox.c.event_id))).scalars())
    assert left == {"published-new", "unpublished-old"}
    await db.dispose()
