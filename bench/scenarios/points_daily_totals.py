"""Daily active totals (R-PTS-05) on 100,000 partners and 10,000,000 ledger rows (quick: 1,000 and 100,000).

The ledger is bulk-loaded in PostgreSQL with INSERT ... SELECT generate_series (the primary
key and secondary indexes dropped during the load and rebuilt after, and the pending-entries
trigger disabled, as a restore would do): every partner gets ~100 accruals spread over the
two years before the measured dates. The service runs as its own process; a first
RunDailyTotals establishes the previous totals (it reads the whole ledger and every partner
changes, so it also writes an event per partner). Then, for each of five consecutive business
dates, the day's recordings are left pending as the service's trigger leaves them (the
entries accrued during the day, and 1 % as many late entries accrued weeks before, inserted
with the trigger on), and the run through the RPC is timed and compared with a bare
``SELECT partner_id, sum(amount) ... GROUP BY partner_id`` over the whole ledger, measured just
before it (the median of each). Finally GetActiveTotal as of random past instants for random
partners gives the as-of p99: the goal is on the query (asyncpg, one statement), and the p99
of the whole RPC (JWT check, unit of work, gRPC in Python on the same machine as the caller)
is reported beside it.

Row count: ``--quick``, or ``POINTS_BENCH_ROWS`` / ``POINTS_BENCH_PARTNERS`` for any size.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from bench.harness import BenchContext, Goal, ScenarioResult
from partnerprogram.points.v1 import points_service_pb2 as pb
from partnerprogram.points.v1 import points_service_pb2_grpc as pb_grpc
from points_service.__main__ import MIGRATIONS_DIR
from ppcore.clock import kyiv_datetime
from ppcore.db import asyncpg_dsn

DESCRIPTION = "RunDailyTotals on 100,000 partners / 10,000,000 ledger rows vs a bare GROUP BY; as-of p99"

ROWS, PARTNERS = 10_000_000, 100_000
QUICK_ROWS, QUICK_PARTNERS = 100_000, 1_000
WARM_UP_DATE = date(2026, 11, 20)
TIMED_DATES = tuple(date(2026, 11, d) for d in range(21, 26))
AS_OF_CALLS = 2_000

SECONDARY_INDEXES = {
    "ix_ledger_entries_partner_id_accrued_at": "(partner_id, accrued_at) INCLUDE (expires_at, amount)",
    "ix_ledger_entries_source_type_source_id": "(source_type, source_id)",
    "ix_ledger_entries_reverses_entry_id": "(reverses_entry_id)",
    "ix_ledger_entries_accrued_at": "(accrued_at) INCLUDE (expires_at, partner_id, amount)",
    "ix_ledger_entries_expires_at": "(expires_at) INCLUDE (accrued_at, partner_id, amount)",
}
PENDING_TRIGGER = "ledger_entries_pending_totals"  # points_0008
LATE_SHARE = 100  # one late entry for every 100 entries accrued during the day
BARE = "SELECT partner_id, sum(amount) FROM ledger_entries GROUP BY partner_id"


async def _load_ledger(connection: asyncpg.Connection, rows: int, partners: int) -> float:
    """Accruals accrued uniformly over the two years before the last timed date; returns seconds."""
    started = time.perf_counter()
    await connection.execute("SET maintenance_work_mem = '512MB'")
    await connection.execute("ALTER TABLE ledger_entries DROP CONSTRAINT pk_ledger_entries")
    await connection.execute(f"ALTER TABLE ledger_entries DISABLE TRIGGER {PENDING_TRIGGER}")
    for name in SECONDARY_INDEXES:
        await connection.execute(f"DROP INDEX {name}")
    end = kyiv_datetime(TIMED_DATES[-1], 23, 0)
    minutes = 2 * 365 * 24 * 60
    await connection.execute(
        f"""
        INSERT INTO ledger_entries (entry_id, partner_id, kind, source_type, source_id, amount, accrued_at,
            expires_at, decided_by, policy_version, note, reverses_entry_id, withheld_points, withheld_reason)
        SELECT 'e' || i, 'p' || lpad((i % $1)::text, 6, '0'), 'MAIN', 'ORDER', 'o' || i, (i % 50 + 1) * 100,
               t, t + interval '1 year', 'system', 'bench', '', NULL, 0, ''
        FROM (SELECT i, $2::timestamptz - ((i::bigint * 7919) % {minutes}) * interval '1 minute' AS t
              FROM generate_series(1, $3) AS i) AS g
        """,
        partners,
        end,
        rows,
    )
    # Points answers only for partners it knows (status's PartnerApproved), NOT_FOUND otherwise.
    await connection.execute(
        "INSERT INTO known_partners (partner_id, company_name, terminated_on)"
        " SELECT 'p' || lpad(i::text, 6, '0'), '', NULL FROM generate_series(0, $1 - 1) AS i",
        partners,
    )
    await connection.execute("ALTER TABLE ledger_entries ADD CONSTRAINT pk_ledger_entries PRIMARY KEY (entry_id)")
    for name, columns in SECONDARY_INDEXES.items():
        await connection.execute(f"CREATE INDEX {name} ON ledger_entries {columns}")
    await connection.execute(f"ALTER TABLE ledger_entries ENABLE TRIGGER {PENDING_TRIGGER}")
    await connection.execute("VACUUM ANALYZE ledger_entries")
    return time.perf_counter() - started


async def _record_the_day(
    connection: asyncpg.Connection, day: date, since: datetime, at: datetime, partners: int
) -> None:
    """Leave pending what the day's writers leave: the entries accrued during the day (loaded
    ahead, so added here as the trigger would have added them) and late entries accrued weeks
    before the previous run, recorded now with the trigger on."""
    accrued = await connection.execute(
        "INSERT INTO daily_totals_pending (entry_id, partner_id, accrued_at)"
        " SELECT entry_id, partner_id, accrued_at FROM ledger_entries WHERE accrued_at > $1 AND accrued_at <= $2",
        since,
        at,
    )
    late = max(1, int(accrued.split()[-1]) // LATE_SHARE)
    await connection.execute(
        """
        INSERT INTO ledger_entries (entry_id, partner_id, kind, source_type, source_id, amount, accrued_at,
            expires_at, decided_by, policy_version, note, reverses_entry_id, withheld_points, withheld_reason)
        SELECT 'late-' || $1 || '-' || i, 'p' || lpad(((i * 7919) % $2)::text, 6, '0'), 'MAIN', 'ORDER',
               'late-' || $1 || '-' || i, 500, t, t + interval '1 year', 'system', 'bench', '', NULL, 0, ''
        FROM (SELECT i, $3::timestamptz - interval '3 weeks' - i * interval '1 minute' AS t
              FROM generate_series(1, $4) AS i) AS g
        """,
        day.isoformat(),
        partners,
        since,
        late,
    )


async def _bare_seconds(connection: asyncpg.Connection) -> float:
    started = time.perf_counter()
    await connection.fetch(BARE)
    return time.perf_counter() - started


async def _outbox_drained(connection: asyncpg.Connection, within: float = 600.0) -> None:
    deadline = time.monotonic() + within
    while await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
        if time.monotonic() > deadline:
            raise RuntimeError("outbox not drained")
        await asyncio.sleep(0.5)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def run(ctx: BenchContext) -> ScenarioResult:
    quick = ctx.options.quick
    rows = int(os.environ.get("POINTS_BENCH_ROWS", QUICK_ROWS if quick else ROWS))
    partners = int(os.environ.get("POINTS_BENCH_PARTNERS", QUICK_PARTNERS if quick else PARTNERS))
    rng = random.Random(20261125)
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            load_seconds = await _load_ledger(connection, rows, partners)
            async with ctx.service_process("points_service", "POINTS", {"DATABASE_URL": url}) as address:
                channel = grpc.aio.insecure_channel(address)
                stub = pb_grpc.PointsServiceStub(channel)
                metadata = ctx.tokens.metadata(ctx.tokens.system())

                async def run_date(day: date) -> tuple[float, pb.RunDailyTotalsResponse]:
                    started = time.perf_counter()
                    response = await stub.RunDailyTotals(
                        pb.RunDailyTotalsRequest(request_id=f"bench-{day}", business_date=day.isoformat()),
                        metadata=metadata,
                        timeout=600,
                    )
                    return time.perf_counter() - started, response

                await _bare_seconds(connection)  # warm the cache for both
                first_seconds, first = await run_date(WARM_UP_DATE)
                await _outbox_drained(connection)
                runs: list[float] = []
                bares: list[float] = []
                changed: list[int] = []
                since = kyiv_datetime(WARM_UP_DATE, 23, 0)
                for day in TIMED_DATES:
                    instant = kyiv_datetime(day, 23, 0)
                    await _record_the_day(connection, day, since, instant, partners)
                    since = instant
                    bares.append(await _bare_seconds(connection))
                    seconds, response = await run_date(day)
                    runs.append(seconds)
                    changed.append(response.changed_count)
                    await _outbox_drained(connection)

                as_of_ms: list[float] = []
                newest = kyiv_datetime(TIMED_DATES[-1], 23, 0)
                for _ in range(AS_OF_CALLS):
                    at = Timestamp()
                    at.FromDatetime(newest - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)))
                    request = pb.GetActiveTotalRequest(partner_id=f"p{rng.randrange(partners):06d}", as_of_time=at)
                    started = time.perf_counter_ns()
                    await stub.GetActiveTotal(request, metadata=metadata, timeout=10)
                    as_of_ms.append((time.perf_counter_ns() - started) / 1e6)
                sql_ms: list[float] = []
                for _ in range(AS_OF_CALLS):
                    started = time.perf_counter_ns()
                    await connection.fetchval(
                        "SELECT coalesce(sum(amount), 0) FROM ledger_entries"
                        " WHERE partner_id = $1 AND accrued_at <= $2 AND expires_at > $2",
                        f"p{rng.randrange(partners):06d}",
                        newest - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
                    )
                    sql_ms.append((time.perf_counter_ns() - started) / 1e6)
                await channel.close()
        finally:
            await connection.close()

    run_median = statistics.median(runs)
    bare_median = statistics.median(bares)
    ratio = run_median / bare_median if bare_median else float("inf")
    as_of_p99 = _p99(as_of_ms)
    sql_p99 = _p99(sql_ms)
    metrics: dict[str, Any] = {
        "ledger_rows": float(rows),
        "partners": float(partners),
        "load_seconds": load_seconds,
        "first_run_seconds": first_seconds,
        "first_run_changed": float(first.changed_count),
        "run_seconds_median": run_median,
        "run_seconds_max": max(runs),
        "changed_per_run_median": float(statistics.median(changed)),
        "bare_group_by_seconds_median": bare_median,
        "run_vs_bare": ratio,
        "as_of_rpc_p50_ms": statistics.median(as_of_ms),
        "as_of_rpc_p99_ms": as_of_p99,
        "as_of_sql_p99_ms": sql_p99,
        "stored_partners": float(first.partner_count),
    }
    return ScenarioResult(
        name="points_daily_totals",
        metrics=metrics,
        goals=[
            Goal(
                "daily run <= 1.5 x bare GROUP BY",
                ratio <= 1.5,
                f"{ratio:.2f} x ({run_median:.2f} s vs {bare_median:.2f} s)",
            ),
            Goal("as-of query p99 < 5 ms", sql_p99 < 5.0, f"{sql_p99:.2f} ms in SQL ({as_of_p99:.2f} ms over gRPC)"),
        ],
    )
