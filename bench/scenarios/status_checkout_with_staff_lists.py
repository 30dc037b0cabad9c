"""Staff lists do not slow checkout (issue 12: "a few [ListPartners] at once slow the sales
platform's discount check from 0.09 s to 0.58 s").

One status process on the data of ``status_check_discount_entitlement`` (10,000 partners,
100,000 employees; quick: 1,000 / 10,000). The sales platform's CheckDiscountEntitlement
load runs alone, then with four staff callers paging through ListPartners 100 rows at a
time (following next_page_token, starting again at the end) on the same process; the two
alternate ``--rounds`` times. The checkout load is 8 calls in flight sent as prepared
frames (``bench.frames``, as the hot paths' scenarios): a grpc.aio generator spent more CPU
per call than the server and, with it, the two cores were full before the staff callers
started, so the ratio measured the machine's queue rather than the server's.
Goal: checkout p99 with the staff lists at most 1.5 x without (median of the rounds).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import statistics
import time
from typing import Any

import grpc

from bench import frames
from bench.cpu import load_average
from bench.harness import BenchContext, Goal, ScenarioResult
from bench.load import LoadResult, percentile
from bench.scenarios.status_check_discount_entitlement import CHECK, PARTNERS, QUICK_PARTNERS, _load
from partnerprogram.status.v1 import status_service_pb2 as pb
from partnerprogram.status.v1 import status_service_pb2_grpc as pb_grpc
from status_service.__main__ import MIGRATIONS_DIR

DESCRIPTION = "CheckDiscountEntitlement alone vs with 4 staff callers paging ListPartners (100 rows)"

CHECKOUT_CONNECTIONS = 4
CHECKOUT_STREAMS = 2  # 8 checkouts in flight
STAFF_CALLERS = 4
STAFF_PAGE = 100
SOLO_PAGES = 20
P99_GOAL = 1.5


async def _staff_pages(address: str, metadata: Any, stop: Any, ready: Any, latencies: list[float]) -> None:
    """Page through ListPartners until told to stop; each page's latency in ms."""
    async with grpc.aio.insecure_channel(address) as channel:
        stub = pb_grpc.StatusServiceStub(channel)
        token = ""
        while not stop.is_set():
            started = time.perf_counter_ns()
            reply = await stub.ListPartners(
                pb.ListPartnersRequest(page_size=STAFF_PAGE, page_token=token), metadata=metadata, timeout=60
            )
            latencies.append((time.perf_counter_ns() - started) / 1e6)
            token = reply.next_page_token
            ready.set()


def _staff_process(address: str, metadata: Any, stop: Any, ready: Any, out: Any) -> None:
    """The staff callers, in a process of their own: decoding their pages must not slow
    the checkout load generator, only the server may."""

    async def main() -> list[float]:
        latencies: list[float] = []
        await asyncio.gather(*(_staff_pages(address, metadata, stop, ready, latencies) for _ in range(STAFF_CALLERS)))
        return latencies

    out.put(asyncio.run(main()))


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261202)
    count = QUICK_PARTNERS if ctx.options.quick else PARTNERS
    load_before = load_average()[0]
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        _, logins = await _load(url, count)
        requests = [
            pb.CheckDiscountEntitlementRequest(buyer_login=login, product_family="SITE_MANAGEMENT")
            for login in rng.sample(logins, min(20_000, len(logins)))
        ]
        async with ctx.service_process("status_service", "STATUS", {"DATABASE_URL": url}) as address:
            channels = ctx.channels(address)
            stubs = [pb_grpc.StatusServiceStub(channel) for channel in channels]
            staff = ctx.tokens.metadata(ctx.tokens.staff())
            checkouts = frames.prepare(address, CHECK, requests, ctx.tokens.metadata(ctx.tokens.sales_platform()))
            shape = {"connections": CHECKOUT_CONNECTIONS, "streams": CHECKOUT_STREAMS}
            warm_failures = await frames.send_each_once(address, checkouts, **shape)
            meter = ctx.cpu_meter(address)

            async def measure() -> LoadResult:
                return await frames.run_frames(
                    address, checkouts, duration=ctx.options.duration, cpu_meter=meter, **shape
                )

            # Server CPU per staff page, alone and one at a time: what a page costs the process.
            cpu_before = meter() if meter else 0.0
            token = ""
            for _ in range(SOLO_PAGES):
                reply = await stubs[0].ListPartners(
                    pb.ListPartnersRequest(page_size=STAFF_PAGE, page_token=token), metadata=staff, timeout=60
                )
                token = reply.next_page_token
            page_cpu_ms = ((meter() if meter else 0.0) - cpu_before) * 1000 / SOLO_PAGES

            alone: list[LoadResult] = []
            busy: list[LoadResult] = []
            staff_ms: list[float] = []
            for _ in range(ctx.options.rounds):
                alone.append(await measure())
                spawn = multiprocessing.get_context("spawn")
                stop, ready, out = spawn.Event(), spawn.Event(), spawn.Queue()
                pagers = spawn.Process(target=_staff_process, args=(address, staff, stop, ready, out))
                pagers.start()
                try:
                    assert await asyncio.to_thread(ready.wait, 120), "the staff callers did not start"
                    busy.append(await measure())
                finally:
                    stop.set()
                    staff_ms.extend(await asyncio.to_thread(out.get, True, 120))
                    await asyncio.to_thread(pagers.join, 60)
            for channel in channels:
                await channel.close()

    def median(values: list[float]) -> float:
        return statistics.median(values) if values else 0.0

    p99_ratio = median([b.p99_ms / a.p99_ms if a.p99_ms else 0.0 for a, b in zip(alone, busy, strict=True)])
    errors = sum(r.errors for r in (*alone, *busy)) + warm_failures
    staff_ms.sort()
    loads = {f"alone {n + 1}": r for n, r in enumerate(alone)} | {f"with staff {n + 1}": r for n, r in enumerate(busy)}
    return ScenarioResult(
        name="status_checkout_with_staff_lists",
        metrics={
            "partners": float(count),
            "throughput": median([r.throughput for r in busy]),
            "p50_ms": median([r.p50_ms for r in busy]),
            "p99_ms": median([r.p99_ms for r in busy]),
            "alone_throughput": median([r.throughput for r in alone]),
            "alone_p50_ms": median([r.p50_ms for r in alone]),
            "alone_p99_ms": median([r.p99_ms for r in alone]),
            "p99_with_staff_vs_alone": p99_ratio,
            "staff_page_server_cpu_ms": page_cpu_ms,
            "checkout_cpu_us_per_call": median([r.cpu_us_per_call for r in alone]),
            "staff_pages": float(len(staff_ms)),
            "staff_page_p50_ms": percentile(staff_ms, 0.50),
            "staff_page_p99_ms": percentile(staff_ms, 0.99),
            "errors": float(errors),
        },
        goals=[
            Goal(
                f"checkout p99 with staff lists <= {P99_GOAL} x alone",
                p99_ratio <= P99_GOAL,
                f"{p99_ratio:.2f} x alone (median of {len(alone)} rounds)",
            ),
            Goal("staff pages answered", len(staff_ms) > 0, f"{len(staff_ms)} pages of {STAFF_PAGE}"),
            Goal("no errors", errors == 0, f"{errors} errors"),
        ],
        loads=loads,
        load_average=(load_before, load_average()[0]),
    )
