"""GetPartnerCabinet, the whole partner view (R-CARD-04), with all five processes on PostgreSQL, vs echo.

Status, points, licensing, compliance and the gateway run as their own processes, started as
`make run` starts them (``scripts.run_local``), each on its own PostgreSQL database and one
nats-server. Partners are onboarded through the status API (``scripts.onboarding``, as the
end-to-end tests do), so the other services learn of them from events. Staff then ask for
random partners' views: one call fans out to one call per backend (the snapshots of status,
points and licensing, compliance's sanctions), in parallel. Each backend is then loaded alone, in the
same run and at the same concurrency, with exactly the call(s) the view makes to it (the
gateway's own clients), so the view's p99 is set beside the slowest backend's p99 (the goal:
at most that plus 10 ms); echo is the reference, alternated with the view.

The gateway answers repeated views from its cache of the backends' answers (dropped by their
events), so the scenario also reports the cache's hit ratio during the measured views (from
the gateway's /metrics) and, in the same rounds as the backends, the miss path: a second
gateway on the same database with the cache off (``GATEWAY_CABINET_CACHE_SECONDS=0``), its
views per second and CPU per view over it and the four backends.
"""

from __future__ import annotations

import asyncio
import random
import statistics
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import grpc
import httpx

from bench.harness import BenchContext, Goal, ScenarioResult
from bench.load import LoadResult
from compliance_service.__main__ import MIGRATIONS_DIR as COMPLIANCE_MIGRATIONS
from gateway_service.__main__ import MIGRATIONS_DIR as GATEWAY_MIGRATIONS
from gateway_service.adapters.backends import ComplianceClient, LicensingClient, PointsClient, StatusClient
from gateway_service.config import GatewaySettings
from licensing_service.__main__ import MIGRATIONS_DIR as LICENSING_MIGRATIONS
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as pb_grpc
from points_service.__main__ import MIGRATIONS_DIR as POINTS_MIGRATIONS
from ppcore.client import make_channel
from ppcore.testing.metrics import parse_samples, sample_sum
from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.onboarding import onboard_partner
from scripts.run_local import PROCESSES, process_env
from status_service.__main__ import MIGRATIONS_DIR as STATUS_MIGRATIONS

DESCRIPTION = "GetPartnerCabinet fan-out, five processes on PostgreSQL, 50 partners (quick: 10) vs echo"

PARTNERS = 50
QUICK_PARTNERS = 10
SLACK_MS = 10.0  # the view may add this much to the slowest backend's p99
MIN_ECHO_RATIO = 0.3
BACKENDS = ("status", "points", "licensing", "compliance")
_MIGRATIONS = {
    "status": STATUS_MIGRATIONS,
    "points": POINTS_MIGRATIONS,
    "licensing": LICENSING_MIGRATIONS,
    "compliance": COMPLIANCE_MIGRATIONS,
    "gateway": GATEWAY_MIGRATIONS,
}


@dataclass(frozen=True)
class Suite:
    addresses: dict[str, str]  # the five processes
    uncached_gateway: str  # a second gateway, same database, its cache off
    metrics_url: str  # the (cached) gateway's /metrics


@asynccontextmanager
async def _suite(ctx: BenchContext) -> AsyncIterator[Suite]:
    """The five processes as `make run` starts them (its ``process_env``), each on a fresh
    database, backends first (``PROCESSES`` ends with the gateway), then a second gateway
    with the cache off for the miss path."""
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        for name, migrations in _MIGRATIONS.items():
            urls[name] = await stack.enter_async_context(ctx.pg_database())
            await ctx.migrate(migrations, urls[name])
        ports = ctx.reserve_ports([name for name, *_ in PROCESSES])
        wiring = {**ports, "gateway_http": free_port()}
        metrics_port = free_port()
        addresses: dict[str, str] = {}
        for name, module, prefix, _fixed_port in PROCESSES:
            env = process_env(prefix, ports[name], urls[name], ctx.nats_url(), TEST_JWT_SECRET, wiring)
            if name == "gateway":
                env["GATEWAY_METRICS_PORT"] = str(metrics_port)
            addresses[name] = await stack.enter_async_context(
                ctx.service_process(module, prefix, {}, port=ports[name], environment=env)
            )
        uncached_port = free_port()
        env = process_env(
            "GATEWAY",
            uncached_port,
            urls["gateway"],
            ctx.nats_url(),
            TEST_JWT_SECRET,
            {**wiring, "gateway": uncached_port, "gateway_http": free_port()},
        )
        env["GATEWAY_CABINET_CACHE_SECONDS"] = "0"
        uncached = await stack.enter_async_context(
            ctx.service_process("gateway_service", "GATEWAY", {}, port=uncached_port, environment=env)
        )
        yield Suite(addresses, uncached, f"http://127.0.0.1:{metrics_port}/metrics")


async def _cache_lookups(metrics_url: str) -> dict[str, float]:
    """The gateway's cache look-ups so far, by outcome (hit, miss), over every backend."""
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(metrics_url)).text
    samples = parse_samples(text)
    return {outcome: sample_sum(samples, "pp_view_cache_lookups_total", outcome=outcome) for outcome in ("hit", "miss")}


async def _until_complete(view: Callable[[str, int], Awaitable[Any]], partner_ids: list[str]) -> None:
    """Points and compliance learn of partners from events: wait until every view is whole."""
    for partner_id in partner_ids:
        for _ in range(600):
            if not (await view(partner_id, 0)).cabinet.partial:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"the view of {partner_id} stayed partial")


def _view_calls(
    ctx: BenchContext, addresses: dict[str, str], picks: list[str]
) -> tuple[dict[str, Callable[[int], Awaitable[Any]]], list[grpc.aio.Channel]]:
    """Per backend, exactly the call(s) the gateway makes to it for one staff view: its own
    clients on channels like its own (a system token, ``ppcore.client``)."""
    token = ctx.tokens.system()
    channels = {
        name: [make_channel(addresses[name], token=lambda: token) for _ in range(ctx.options.channels)]
        for name in BACKENDS
    }
    within = GatewaySettings.model_fields["cabinet_expiring_within_days"].default
    status = [StatusClient(c).view_read() for c in channels["status"]]
    points = [PointsClient(c, within_days=within).view_read() for c in channels["points"]]
    licensing = [LicensingClient(c) for c in channels["licensing"]]
    compliance = [ComplianceClient(c) for c in channels["compliance"]]

    def pick(i: int) -> str:
        return picks[i % len(picks)]

    calls: dict[str, Callable[[int], Awaitable[Any]]] = {
        "status": lambda i: status[i % len(status)].read(pick(i), status[0].sections, 10.0),
        "points": lambda i: points[i % len(points)].read(pick(i), points[0].sections, 10.0),
        "licensing": lambda i: licensing[i % len(licensing)].holdings(pick(i), 10.0),
        "compliance": lambda i: compliance[i % len(compliance)].active_sanctions(pick(i), 10.0),
    }
    return calls, [c for group in channels.values() for c in group]


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261201)
    count = QUICK_PARTNERS if ctx.options.quick else PARTNERS
    staff = ctx.tokens.metadata(ctx.tokens.staff())
    async with _suite(ctx) as suite:
        addresses = suite.addresses
        async with grpc.aio.insecure_channel(addresses["status"]) as channel:
            partner_ids = [await onboard_partner(channel, ctx.tokens, f"bench{i}") for i in range(count)]
        picks = [rng.choice(partner_ids) for _ in range(1_000)]
        gateway_channels = ctx.channels(addresses["gateway"])
        uncached_channels = ctx.channels(suite.uncached_gateway)
        gateways = {
            "cached": [pb_grpc.GatewayServiceStub(c) for c in gateway_channels],
            "uncached": [pb_grpc.GatewayServiceStub(c) for c in uncached_channels],
        }

        def viewer(which: str) -> Callable[[str, int], Awaitable[Any]]:
            stubs = gateways[which]

            async def view_of(partner_id: str, i: int = 0) -> Any:
                request = pb.GetPartnerCabinetRequest(partner_id=partner_id)
                return await stubs[i % len(stubs)].GetPartnerCabinet(request, metadata=staff, timeout=10)

            return view_of

        def whole_views(view_of: Callable[[str, int], Awaitable[Any]]) -> Callable[[int], Awaitable[Any]]:
            async def view(i: int) -> Any:
                reply = await view_of(picks[i % len(picks)], i)
                if reply.cabinet.partial:
                    raise RuntimeError(f"partial view: {list(reply.cabinet.missing_sections)}")
                return reply

            return view

        await _until_complete(viewer("cached"), partner_ids)
        await _until_complete(viewer("uncached"), partner_ids)

        # The view's CPU is that of all five processes (the gateway and its backends).
        looked_up = await _cache_lookups(suite.metrics_url)
        scenario = await ctx.compare_with_echo(
            "gateway_partner_view", whole_views(viewer("cached")), list(addresses.values())
        )
        after = await _cache_lookups(suite.metrics_url)
        hits, misses = after["hit"] - looked_up["hit"], after["miss"] - looked_up["miss"]
        scenario.metrics["cache_hit_ratio"] = hits / (hits + misses) if hits + misses else 0.0
        # Each backend alone, loaded with the very call(s) the view makes to it, at the same
        # concurrency, as many rounds as the view had; its p99 is the median of the rounds.
        calls, backend_channels = _view_calls(ctx, addresses, picks)
        rounds: dict[str, list[LoadResult]] = {name: [] for name in BACKENDS}
        # The miss path: every view through the gateway with the cache off, CPU over it and the backends.
        uncached: list[LoadResult] = []
        uncached_servers = [suite.uncached_gateway, *(addresses[name] for name in BACKENDS)]
        for _round in range(ctx.options.rounds):
            for name in BACKENDS:
                rounds[name].append(await ctx.load(calls[name], addresses[name]))
            uncached.append(await ctx.load(whole_views(viewer("uncached")), uncached_servers))
        for channel in (*gateway_channels, *uncached_channels, *backend_channels):
            await channel.close()
    backend_p99 = {name: statistics.median(r.p99_ms for r in results) for name, results in rounds.items()}
    slowest = max(BACKENDS, key=lambda n: backend_p99[n])
    ceiling = backend_p99[slowest] + SLACK_MS
    ratio = scenario.metrics["throughput_vs_echo"]
    view_p99 = scenario.metrics["p99_ms"]
    scenario.metrics |= {f"{name}_p99_ms": p99 for name, p99 in backend_p99.items()}
    scenario.metrics |= {
        f"{name}_cpu_us_per_call": statistics.median(r.cpu_us_per_call for r in results)
        for name, results in rounds.items()
    }
    # CPU per view asked for, partial ones included (they cost the servers too), so an
    # overloaded run's figure is not inflated by dividing by the few whole views.
    views = [r for key, r in scenario.loads.items() if key.startswith("svc ")]
    scenario.metrics["cpu_us_per_view_asked"] = statistics.median(
        r.cpu_us_per_call * r.calls / (r.calls + r.errors) if r.calls + r.errors else 0.0 for r in views
    )
    scenario.metrics["partners"] = float(count)
    scenario.metrics["uncached_throughput"] = statistics.median(r.throughput for r in uncached)
    scenario.metrics["uncached_throughput_vs_echo"] = (
        scenario.metrics["uncached_throughput"] / scenario.metrics["echo_throughput"]
        if scenario.metrics["echo_throughput"]
        else 0.0
    )
    scenario.metrics["uncached_p99_ms"] = statistics.median(r.p99_ms for r in uncached)
    scenario.metrics["uncached_cpu_us_per_view"] = statistics.median(r.cpu_us_per_call for r in uncached)
    scenario.metrics["uncached_errors"] = float(sum(r.errors for r in uncached))
    scenario.goals = [
        Goal(
            f"p99 <= slowest backend ({slowest}) p99 + {SLACK_MS:.0f} ms",
            scenario.metrics["throughput"] > 0 and view_p99 <= ceiling,
            f"{view_p99:.1f} ms (median of rounds) vs {ceiling:.1f} ms",
        ),
        Goal(f"throughput >= {MIN_ECHO_RATIO} x echo", ratio >= MIN_ECHO_RATIO, f"{ratio:.2f} x echo"),
        Goal(
            "no errors (no partial view)", scenario.metrics["errors"] == 0, f"{scenario.metrics['errors']:.0f} errors"
        ),
    ]
    scenario.loads |= {f"{name} {n}": r for name, results in rounds.items() for n, r in enumerate(results, 1)}
    scenario.loads |= {f"view, cache off {n}": r for n, r in enumerate(uncached, 1)}
    return scenario
