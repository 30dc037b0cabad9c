"""The outbox relay on PostgreSQL and a real nats-server: events/s and commit-to-consumer lag.

Two measurements, each on a fresh outbox:
- **drain**: a backlog of events is written straight into the outbox (COPY), then one
  relay publishes it: events per second of the relay alone (claim, read, publish with the
  acks gathered, mark published), counted until a JetStream consumer has received all.
- **paced**: producers commit events through the real unit of work (``SqlUnitOfWork``:
  outbox rows in the business transaction, the relay woken after commit) at a fixed rate,
  10 events per transaction, while a consumer notes when each arrives: the lag from the
  commit returning to the consumer receiving it, p50 and p99.

The relay and the consumer share the runner's event loop; the paced producer is a
process of its own (``python -m bench.scenarios.outbox_relay``), as request handlers would
be. Commit and arrival times are wall-clock times of the same machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa

from bench.harness import BenchContext, Goal, ScenarioResult
from bench.load import percentile
from partnerprogram.echo.v1.echo_service_pb2 import EchoRequest
from ppcore.bus import EventBus
from ppcore.clock import SystemClock
from ppcore.db import Database, add_platform_tables, asyncpg_dsn, make_metadata
from ppcore.events import Naming, make_envelope
from ppcore.outbox import OutboxRelay
from ppcore.uow import SqlUnitOfWork

DESCRIPTION = "outbox relay: drain events/s, and lag commit -> consumer at 2,000 events/s (p50/p99)"

RATE = 2_000  # events per second, paced
EVENTS_PER_TRANSACTION = 10
BACKLOG = 20_000
QUICK_BACKLOG = 10_000
SOURCE = "echo"


class Arrivals:
    """A JetStream subscription that notes when each event id arrives."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.complete = asyncio.Event()
        self.expected = 0

    async def on_message(self, msg: Any) -> None:
        event_id = (msg.headers or {}).get("Nats-Msg-Id", "")
        self.at.setdefault(event_id, time.time())  # wall clock: the producer is another process
        if len(self.at) >= self.expected:
            self.complete.set()


async def _outbox(url: str) -> tuple[Database, Any]:
    metadata = make_metadata()
    tables = add_platform_tables(metadata)
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(sa.insert(tables.relay_lock).values(id=1))
    return db, tables


@asynccontextmanager
async def _relay_running(
    ctx: BenchContext, db: Database, tables: Any, naming: Naming, expected: int
) -> AsyncIterator[Arrivals]:
    """A subscriber awaiting ``expected`` events and a relay publishing the outbox, until the block ends."""
    bus = EventBus(ctx.nats_url(), naming, client_name="bench-relay")
    await bus.connect()
    await bus.ensure_stream(SOURCE)
    arrivals = Arrivals()
    arrivals.expected = expected
    subscription = await bus.js.subscribe(
        naming.stream_subjects(SOURCE)[0], cb=arrivals.on_message, ordered_consumer=True, manual_ack=True
    )
    stop = asyncio.Event()
    relay = asyncio.create_task(OutboxRelay(db, tables, bus, SystemClock(), batch_size=500).run(stop))
    try:
        yield arrivals
    finally:
        stop.set()
        await relay
        await subscription.unsubscribe()
        await bus.close()
        await db.dispose()


async def _drain(ctx: BenchContext, url: str, events: int) -> float:
    """Events per second of one relay publishing a backlog of ``events``."""
    db, tables = await _outbox(url)
    naming = Naming("benchdrain")
    clock = SystemClock()
    subject = naming.subject_for(EchoRequest.DESCRIPTOR.full_name)
    rows = []
    for n in range(events):
        now = clock.now()
        envelope = make_envelope(EchoRequest(payload=b"x" * 64), source=SOURCE, time=now, partner_id=f"p{n % 100}")
        rows.append((envelope.id, subject, envelope.partner_id, envelope.SerializeToString(), now))
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.copy_records_to_table(
            "outbox", records=rows, columns=("event_id", "subject", "partner_id", "envelope", "created_at")
        )
        await connection.execute("ANALYZE outbox")
    finally:
        await connection.close()
    started = time.perf_counter()
    async with _relay_running(ctx, db, tables, naming, events) as arrivals:
        await asyncio.wait_for(arrivals.complete.wait(), timeout=300)
        seconds = time.perf_counter() - started
    return events / seconds


async def produce(url: str, namespace: str, seconds: float) -> dict[str, object]:
    """The paced producer (its own process): RATE events/s through the unit of work, 10
    per transaction, at most 16 transactions in flight; each event's commit time."""
    db, tables = Database(url), add_platform_tables(make_metadata())
    naming, clock = Naming(namespace), SystemClock()
    transactions = int(RATE * seconds) // EVENTS_PER_TRANSACTION
    interval = EVENTS_PER_TRANSACTION / RATE
    committed: dict[str, float] = {}
    gate = asyncio.Semaphore(16)
    started = time.perf_counter()

    async def commit_one(n: int) -> None:
        await asyncio.sleep(max(0.0, started + n * interval - time.perf_counter()))
        async with gate, SqlUnitOfWork(db, tables, source=SOURCE, naming=naming, clock=clock) as uow:
            ids = [
                uow.publish(EchoRequest(payload=f"{n}:{k}".encode()), partner_id=f"p{n % 100}")
                for k in range(EVENTS_PER_TRANSACTION)
            ]
            await uow.commit()
        at = time.time()
        committed.update(dict.fromkeys(ids, at))

    await asyncio.gather(*(commit_one(n) for n in range(transactions)))
    produced_in = time.perf_counter() - started
    await db.dispose()
    return {"seconds": produced_in, "committed": committed}


async def _paced(ctx: BenchContext, url: str, seconds: float) -> tuple[float, list[float], int]:
    """The relay here, the producer in its own process; returns (rate, lags ms, lost)."""
    db, tables = await _outbox(url)
    naming = Naming("benchpaced")
    expected = int(RATE * seconds) // EVENTS_PER_TRANSACTION * EVENTS_PER_TRANSACTION
    out = ctx.work_dir / "committed.json"
    async with _relay_running(ctx, db, tables, naming, expected) as arrivals:
        producer = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, url, naming.namespace, str(seconds), str(out)
        )
        if await producer.wait() != 0:
            raise RuntimeError("the outbox producer failed")
        with contextlib.suppress(TimeoutError):  # what never arrived is counted below
            await asyncio.wait_for(arrivals.complete.wait(), timeout=60)
    produced = json.loads(out.read_text())
    committed: dict[str, float] = produced["committed"]
    lags = sorted((arrivals.at[e] - c) * 1000 for e, c in committed.items() if e in arrivals.at)
    return len(committed) / produced["seconds"], lags, len(committed) - len(lags)


async def run(ctx: BenchContext) -> ScenarioResult:
    backlog = QUICK_BACKLOG if ctx.options.quick else BACKLOG
    async with ctx.pg_database() as url:
        drain_rate = await _drain(ctx, url, backlog)
    async with ctx.pg_database() as url:
        rate, lags, lost = await _paced(ctx, url, max(5.0, ctx.options.duration))
    p50, p99 = percentile(lags, 0.50), percentile(lags, 0.99)
    return ScenarioResult(
        name="outbox_relay",
        metrics={
            "relay_events_per_s": drain_rate,
            "backlog_events": float(backlog),
            "paced_events_per_s": rate,
            "lag_p50_ms": p50,
            "lag_p99_ms": p99,
            "lag_max_ms": lags[-1] if lags else 0.0,
            "events_not_received": float(lost),
        },
        goals=[
            Goal("relay >= 2,000 events/s", drain_rate >= 2000, f"{drain_rate:.0f} events/s draining {backlog}"),
            Goal(
                "lag p99 <= 1 s at 2,000 events/s",
                p99 <= 1000 and rate >= RATE * 0.95 and lost == 0,
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms at {rate:.0f} events/s committed, {lost} not received",
            ),
        ],
    )


if __name__ == "__main__":
    Path(sys.argv[4]).write_text(json.dumps(asyncio.run(produce(sys.argv[1], sys.argv[2], float(sys.argv[3])))))
