"""Two outbox relays of one database at once, and the dead-letter path, on real
PostgreSQL and a real nats-server (DESIGN: How they talk)."""

import asyncio
from collections import defaultdict

import nats
import pytest
import sqlalchemy as sa

from partnerprogram.echo.v1.echo_service_pb2 import EchoRequest
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore.bus import EventBus
from ppcore.clock import SystemClock
from ppcore.consumer import EventConsumer, Route, Subscription
from ppcore.db import Database, add_platform_tables, make_metadata
from ppcore.errors import FailedPrecondition
from ppcore.events import Naming
from ppcore.outbox import OutboxRelay, RelayFaults
from ppcore.testing.polling import eventually
from ppcore.uow import SqlUnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

metadata = make_metadata()
tables = add_platform_tables(metadata)
effects = sa.Table("effects", metadata, sa.Column("event_id", sa.String(64), primary_key=True))


async def _fresh(make_pg_database) -> Database:
    db = Database(await make_pg_database())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(sa.insert(tables.relay_lock).values(id=1))
    return db


async def _stream_payloads(nats_url: str, subject: str) -> list[bytes]:
    connection = await nats.connect(nats_url)
    try:
        sub = await connection.jetstream().subscribe(subject, ordered_consumer=True)
        found = []
        while True:
            try:
                msg = await sub.next_msg(timeout=1.0)
            except (TimeoutError, nats.errors.TimeoutError):
                return found
            envelope = EventEnvelope()
            envelope.ParseFromString(msg.data)
            payload = EchoRequest()
            envelope.payload.Unpack(payload)
            found.append(payload.payload)
    finally:
        await connection.close()


async def test_two_relays_at_once_publish_each_event_once_in_order(make_pg_database, nats_server, nats_namespace):
    """Two replicas' relays on one database: every row is published by exactly one of them
    (the acks they count add up to the events, JetStream's de-duplication never needed),
    and each partner's events reach the stream in the order they were written."""
    events, partners = 2000, 20
    naming = Naming(nats_namespace)
    db = await _fresh(make_pg_database)
    clock = SystemClock()
    acked: list[int] = [0, 0]
    buses, relays = [], []
    for n in range(2):
        bus = EventBus(nats_server.url, naming, client_name=f"relay-{n}")
        await bus.connect()
        await bus.ensure_stream("echo")

        async def count(published: int, n: int = n) -> None:
            acked[n] += published

        buses.append(bus)
        relays.append(OutboxRelay(db, tables, bus, clock, batch_size=100, faults=RelayFaults(after_publish=count)))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)) for relay in relays]
    try:
        per_partner = [0] * partners
        for tx in range(events // 50):
            async with SqlUnitOfWork(db, tables, source="echo", naming=naming, clock=clock) as uow:
                for i in range(50):
                    partner = (tx * 50 + i) % partners
                    per_partner[partner] += 1
                    uow.publish(
                        EchoRequest(payload=f"p{partner}:{per_partner[partner]}".encode()), partner_id=f"p{partner}"
                    )
                await uow.commit()
            relays[tx % 2].notify()

        async def all_published() -> bool:
            async with db.engine.connect() as conn:
                waiting = await conn.execute(
                    sa.select(sa.func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
                )
                return waiting.scalar_one() == 0

        await eventually(all_published, within=60)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for bus in buses:
            await bus.close()
        await db.dispose()

    assert sum(acked) == events, f"published {acked} for {events} events"
    payloads = await _stream_payloads(nats_server.url, f"{nats_namespace}.echo.v1.>")
    assert len(payloads) == events
    last: dict[str, int] = defaultdict(int)
    for payload in payloads:
        partner, seq = payload.decode().split(":")
        assert int(seq) == last[partner] + 1, f"{partner} out of order"
        last[partner] = int(seq)


async def test_a_message_the_handler_keeps_refusing_goes_to_the_dead_letters_and_the_consumer_goes_on(
    make_pg_database, nats_server, nats_namespace
):
    """A handler that refuses an event (a DomainError) max_attempts times: the event moves to
    the dead-letter stream with the error and its original subject, is terminated (never
    redelivered), leaves no effect, and the events after it are applied."""
    naming = Naming(nats_namespace)
    producer = await _fresh(make_pg_database)
    sink = await _fresh(make_pg_database)
    clock = SystemClock()

    async def apply(uow: SqlUnitOfWork, envelope: EventEnvelope, payload: EchoRequest) -> None:
        if payload.payload == b"poison":
            raise FailedPrecondition(reason="POISON", message="this event can never be applied")
        await uow.session.execute(sa.insert(effects).values(event_id=envelope.id))

    bus = EventBus(nats_server.url, naming, client_name="dlq-test")
    await bus.connect()
    await bus.ensure_stream("echo")
    relay = OutboxRelay(producer, tables, bus, clock)
    consumer = EventConsumer(
        bus,
        Subscription(
            durable="sink-echo", producer="echo", routes={EchoRequest.DESCRIPTOR.full_name: Route(EchoRequest, apply)}
        ),
        lambda: SqlUnitOfWork(sink, tables, source="sink", naming=naming, clock=clock),
        max_attempts=2,
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(consumer.run(stop))]
    try:
        async with SqlUnitOfWork(producer, tables, source="echo", naming=naming, clock=clock) as uow:
            for payload in (b"before", b"poison", b"after"):
                uow.publish(EchoRequest(payload=payload), partner_id="p1")
            await uow.commit()
        relay.notify()

        async def applied() -> int:
            async with sink.engine.connect() as conn:
                return int((await conn.execute(sa.select(sa.func.count()).select_from(effects))).scalar_one())

        await eventually(lambda: _at_least(applied, 2), within=30)
        assert consumer.dead_lettered == 1
        assert await applied() == 2
        async with sink.engine.connect() as conn:
            inbox = (await conn.execute(sa.select(sa.func.count()).select_from(tables.inbox))).scalar_one()
        assert inbox == 2  # the refused event is not recorded as handled

        connection = await nats.connect(nats_server.url)
        try:
            sub = await connection.jetstream().subscribe(naming.dlq_subject(consumer.name), ordered_consumer=True)
            dead = await sub.next_msg(timeout=5)
            with pytest.raises((TimeoutError, nats.errors.TimeoutError)):
                await sub.next_msg(timeout=0.5)
        finally:
            await connection.close()
        envelope = EventEnvelope()
        envelope.ParseFromString(dead.data)
        payload = EchoRequest()
        envelope.payload.Unpack(payload)
        assert payload.payload == b"poison"
        assert "never be applied" in dead.headers["Pp-Error"]
        assert dead.headers["Pp-Original-Subject"].startswith(f"{nats_namespace}.echo.v1.")
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await bus.close()
        await producer.dispose()
        await sink.dispose()


async def _at_least(read, n: int) -> bool:
    return await read() >= n
