"""Reliable events end to end, on real PostgreSQL and a real nats-server.

10,000 events go through the outbox while the relay is killed between publishing and
marking, the consumer is killed between its commit and its ack, and nats-server is
killed and restarted mid-stream. Every event's effect is applied exactly once, none is
lost, and each partner's events are applied in the order they were written.
"""

import asyncio
import time

import pytest
import sqlalchemy as sa

from partnerprogram.echo.v1.echo_service_pb2 import EchoRequest
from ppcore.bus import EventBus
from ppcore.clock import SystemClock
from ppcore.consumer import ConsumerFaults, EventConsumer, Route, Subscription
from ppcore.db import Database, add_platform_tables, make_metadata
from ppcore.events import Naming
from ppcore.outbox import OutboxRelay, RelayFaults
from ppcore.uow import SqlUnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.nats, pytest.mark.slow]

EVENTS = 10_000
PARTNERS = 50
TRANSACTIONS = 200  # 50 events per transaction
# Generous: the consumer must recover by itself; the figure is printed, not judged.
RECOVERY_LIMIT_SECONDS = 120

metadata = make_metadata()
tables = add_platform_tables(metadata)
effects = sa.Table(
    "effects",
    metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("partner_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
)
progress = sa.Table(
    "partner_progress",
    metadata,
    sa.Column("partner_id", sa.String(64), primary_key=True),
    sa.Column("last_seq", sa.Integer, nullable=False),
    sa.Column("out_of_order", sa.Integer, nullable=False),
)


class SimulatedCrash(BaseException):
    """Escapes every `except Exception`, like the process dying at that point."""


async def _fresh(make_pg_database) -> Database:
    db = Database(await make_pg_database())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(sa.insert(tables.relay_lock).values(id=1))
    return db


async def record_effect(uow: SqlUnitOfWork, envelope, payload: EchoRequest) -> None:
    partner_id, seq_text = payload.payload.decode().split(":")
    seq = int(seq_text)
    await uow.session.execute(sa.insert(effects).values(event_id=envelope.id, partner_id=partner_id, seq=seq))
    row = (await uow.session.execute(sa.select(progress).where(progress.c.partner_id == partner_id))).first()
    if row is None:
        await uow.session.execute(sa.insert(progress).values(partner_id=partner_id, last_seq=seq, out_of_order=0))
    else:
        await uow.session.execute(
            sa.update(progress)
            .where(progress.c.partner_id == partner_id)
            .values(last_seq=seq, out_of_order=progress.c.out_of_order + (1 if seq <= row.last_seq else 0))
        )


async def test_ten_thousand_events_survive_relay_consumer_and_nats_crashes(
    make_pg_database, nats_server, nats_namespace
):
    clock = SystemClock()
    naming = Naming(nats_namespace)
    producer_db = await _fresh(make_pg_database)
    consumer_db = await _fresh(make_pg_database)

    def producer_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(producer_db, tables, source="echo", naming=naming, clock=clock)

    def consumer_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(consumer_db, tables, source="sink", naming=naming, clock=clock)

    subscription = Subscription(
        durable="sink-echo",
        producer="echo",
        routes={EchoRequest.DESCRIPTOR.full_name: Route(EchoRequest, record_effect)},
    )
    stop = asyncio.Event()

    # --- relay: crashes once between publishing and marking, then a new one takes over
    relay_bus = EventBus(nats_server.url, naming, client_name="relay")
    await relay_bus.connect()
    await relay_bus.ensure_stream("echo")
    relay_crashed = asyncio.Event()

    async def crash_relay_once(acked: int) -> None:
        if acked and not relay_crashed.is_set():
            relay_crashed.set()
            raise SimulatedCrash

    first_relay = OutboxRelay(
        producer_db, tables, relay_bus, clock, batch_size=300, faults=RelayFaults(after_publish=crash_relay_once)
    )
    relay_task = asyncio.create_task(first_relay.run(stop))

    # --- consumer: crashes once between commit and ack, then a new process takes over
    consumer_crashed = asyncio.Event()
    handled_before_crash = 1500

    async def crash_consumer_once(_envelope) -> None:
        if not consumer_crashed.is_set() and first_consumer.handled >= handled_before_crash:
            consumer_crashed.set()
            raise SimulatedCrash

    first_bus = EventBus(nats_server.url, naming, client_name="sink-1")
    await first_bus.connect()
    first_consumer = EventConsumer(
        first_bus, subscription, consumer_uow, ack_wait=2.0, faults=ConsumerFaults(after_commit=crash_consumer_once)
    )
    consumer_task = asyncio.create_task(first_consumer.run(stop))

    # --- producer: 10,000 events in 200 transactions, round-robin over 50 partners
    per_partner = [0] * PARTNERS
    for tx in range(TRANSACTIONS):
        async with producer_uow() as uow:
            for i in range(EVENTS // TRANSACTIONS):
                n = tx * (EVENTS // TRANSACTIONS) + i
                partner = n % PARTNERS
                per_partner[partner] += 1
                uow.publish(
                    EchoRequest(payload=f"p{partner}:{per_partner[partner]}".encode()), partner_id=f"p{partner}"
                )
            await uow.commit()
        if tx == TRANSACTIONS // 2:
            nats_server.restart()  # mid-stream: SIGKILL, then start on the same port and store

    # The relay crashed once: a new relay (as after a process restart) finishes the job.
    await asyncio.wait_for(relay_crashed.wait(), timeout=60)
    with pytest.raises(SimulatedCrash):
        await relay_task
    second_relay = OutboxRelay(producer_db, tables, relay_bus, clock, batch_size=300)
    relay_task = asyncio.create_task(second_relay.run(stop))

    # The consumer crashed once between commit and ack: a new process takes over.
    await asyncio.wait_for(consumer_crashed.wait(), timeout=120)
    with pytest.raises(SimulatedCrash):
        await consumer_task
    await first_bus.close()
    second_bus = EventBus(nats_server.url, naming, client_name="sink-2")
    await second_bus.connect()
    second_consumer = EventConsumer(second_bus, subscription, consumer_uow, ack_wait=2.0)
    consumer_task = asyncio.create_task(second_consumer.run(stop))

    async def count(db: Database, query) -> int:
        async with db.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if await count(consumer_db, sa.select(sa.func.count()).select_from(effects)) >= EVENTS:
            break
        await asyncio.sleep(0.5)

    # A consumer recovers by itself after a NATS restart, with no restart of its own. How fast
    # is a figure for the logs, not an assertion: on a shared, busy machine it varies tenfold.
    nats_server.restart()
    restarted_at = time.monotonic()
    async with producer_uow() as uow:
        uow.publish(EchoRequest(payload=b"p0:999999"), partner_id="p0")
        await uow.commit()
    while await count(consumer_db, sa.select(sa.func.count()).select_from(effects)) < EVENTS + 1:
        assert time.monotonic() - restarted_at < RECOVERY_LIMIT_SECONDS, "consumer did not recover after a NATS restart"
        await asyncio.sleep(0.1)
    print(f"consumer recovered {time.monotonic() - restarted_at:.1f} s after the NATS restart")

    stop.set()
    await asyncio.gather(relay_task, consumer_task)
    await relay_bus.close()
    await second_bus.close()

    applied = await count(consumer_db, sa.select(sa.func.count()).select_from(effects))
    distinct = await count(consumer_db, sa.select(sa.func.count(sa.distinct(effects.c.event_id))))
    out_of_order = await count(consumer_db, sa.select(sa.func.coalesce(sa.func.sum(progress.c.out_of_order), 0)))
    unpublished = await count(
        producer_db, sa.select(sa.func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
    )
    inbox_rows = await count(consumer_db, sa.select(sa.func.count()).select_from(tables.inbox))
    await producer_db.dispose()
    await consumer_db.dispose()

    assert applied == EVENTS + 1, "every event applied, none lost"
    assert distinct == applied, "no event applied twice"
    assert inbox_rows == applied
    assert out_of_order == 0, "per-partner order kept"
    assert unpublished == 0
