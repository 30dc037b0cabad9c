"""What scenarios share: server processes, fresh PostgreSQL databases, tokens, the echo
reference, and the comparison against it."""

from __future__ import annotations

import gc
import os
import statistics
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import grpc
from google.protobuf.message import Message

from bench import frames
from bench.cpu import cpu_seconds, load_average, process_tree
from bench.load import Call, LoadResult, run_load
from partnerprogram.echo.v1 import echo_service_pb2 as echo_pb
from partnerprogram.echo.v1 import echo_service_pb2_grpc as echo_grpc
from ppcore.db import asyncpg_dsn
from ppcore.migrations import upgrade_async
from ppcore.testing.nats import NatsServer, free_port
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens
from ppcore.testing.postgres import admin_url, create_database, drop_database
from scripts.supervisor import ServiceProcess

ROOT = Path(__file__).resolve().parents[1]
_ECHO_METHOD = "/partnerprogram.echo.v1.EchoService/Echo"
_ECHO_REQUEST = echo_pb.EchoRequest(payload=b"x" * 64)  # what every echo call sends


@dataclass(frozen=True)
class Goal:
    name: str
    passed: bool
    detail: str


@dataclass
class ScenarioResult:
    name: str
    metrics: dict[str, float] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    loads: dict[str, LoadResult] = field(default_factory=dict)
    # 1-minute load average when the scenario started and ended.
    load_average: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Options:
    concurrency: int = 32
    duration: float = 5.0
    channels: int = 4
    quick: bool = False
    # Echo and the scenario alternate (A B A B ...) this many times; ratios are the median.
    rounds: int = 3
    # The same for the hot paths with a CPU goal (compare_frames_with_echo): their ratio is
    # within a few percent of the goal, and a machine's swings are +-10 % between rounds.
    hot_rounds: int = 5
    # Server processes of every server under test (<PREFIX>_PROCESSES).
    processes: int = 1
    # Partners of the scenarios that take a scale (--scale); 0: each scenario's own size.
    partners: int = 0


class BenchContext:
    def __init__(self, options: Options, work_dir: Path) -> None:
        self.options = options
        self.work_dir = work_dir
        self.tokens = Tokens()
        self._nats: NatsServer | None = None
        self._pids: dict[str, int] = {}  # server address -> pid of its (parent) process
        self._echo_stack = AsyncExitStack()
        self._echo_call: Call | None = None
        self._echo_address = ""
        self._scenarios = 0
        self.nats_namespace = "bench0"  # the running scenario's own streams (see settle)

    def partners(self, default: int, quick: int) -> int:
        """How many partners a scenario with a scale loads (--scale, else --quick or its default)."""
        return self.options.partners or (quick if self.options.quick else default)

    # --- infrastructure -----------------------------------------------------------
    async def settle(self) -> None:
        """Before a scenario: what the previous ones left behind is not measured with it.
        Its servers get NATS streams of their own: on the previous scenario's streams a
        consumer would work through that scenario's events while this one is measured (status
        started after the daily-totals scenario read its 100,000s of ActiveTotalChanged, and
        looked 3 x dearer per call than alone). PostgreSQL writes its dirty pages now, and the
        runner's own garbage is collected."""
        self._scenarios += 1
        self.nats_namespace = f"bench{self._scenarios}"
        connection = await asyncpg.connect(asyncpg_dsn(admin_url()))
        try:
            await connection.execute("CHECKPOINT")
        finally:
            await connection.close()
        gc.collect()

    @asynccontextmanager
    async def pg_database(self) -> AsyncIterator[str]:
        url = await create_database(admin_url(), prefix="pp_bench")
        try:
            yield url
        finally:
            await drop_database(admin_url(), url)

    def nats_url(self) -> str:
        if self._nats is None:
            self._nats = NatsServer(self.work_dir / "nats")
            self._nats.start()
        return self._nats.url

    async def migrate(self, migrations_dir: Path, url: str) -> None:
        await upgrade_async(migrations_dir, url)

    @asynccontextmanager
    async def service_process(
        self,
        module: str,
        prefix: str,
        env: dict[str, str],
        *,
        port: int | None = None,
        processes: int | None = None,
        environment: Mapping[str, str] | None = None,
        cpus: str = "",
    ) -> AsyncIterator[str]:
        """Run ``python -m module`` with ``<PREFIX>_*`` settings (on ``port``, or a free one); yields its address.

        ``environment``: the process's whole environment as ``make run`` builds it
        (``scripts.run_local.process_env``); the bench's own settings go on top. ``cpus``: a
        ``taskset -c`` list the server's processes are held to ("": every core)."""
        port = port or free_port()
        full_env = {
            **(environment or os.environ),
            f"{prefix}_PROCESSES": str(processes or self.options.processes),
            f"{prefix}_GRPC_PORT": str(port),
            f"{prefix}_JWT_SECRET": TEST_JWT_SECRET,
            f"{prefix}_LOG_LEVEL": "WARNING",
            f"{prefix}_NATS_URL": env.pop("NATS_URL", "") or self.nats_url(),
            f"{prefix}_NATS_NAMESPACE": self.nats_namespace,
            f"{prefix}_SCHEDULER_ENABLED": "false",
            **{f"{prefix}_{k}": v for k, v in env.items()},
        }
        process = ServiceProcess(module, port, full_env, self.work_dir / f"{module}.log", module=module, cpus=cpus)
        process.log_path.unlink(missing_ok=True)
        process.start()
        assert process.popen is not None
        self._pids[process.address] = process.popen.pid
        try:
            await process.ready(within=60)
            yield process.address
        finally:
            del self._pids[process.address]
            process.stop_or_kill(timeout=20)

    @asynccontextmanager
    async def cached_and_uncached(
        self, module: str, prefix: str, env: dict[str, str]
    ) -> AsyncIterator[tuple[str, str]]:
        """Two processes of a service: as configured, and with its hot-row cache off
        (``<PREFIX>_HOT_READ_CACHE_ENTRIES=0``); yields their addresses."""
        async with (
            self.service_process(module, prefix, dict(env)) as cached,
            self.service_process(module, prefix, {**env, "HOT_READ_CACHE_ENTRIES": "0"}) as uncached,
        ):
            yield cached, uncached

    def reserve_ports(self, names: list[str]) -> dict[str, int]:
        """Free ports for processes that must know each other's address before they start."""
        return {name: free_port() for name in names}

    def channels(self, address: str) -> list[grpc.aio.Channel]:
        return [
            grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(self.options.channels)
        ]

    # --- load -------------------------------------------------------------------------
    def cpu_meter(self, servers: str | Sequence[str]) -> Callable[[], float] | None:
        """CPU seconds so far of the servers at these addresses: their processes and children."""
        roots = [self._pids[a] for a in ([servers] if isinstance(servers, str) else servers) if a in self._pids]
        if not roots:
            return None
        return lambda: cpu_seconds([pid for root in roots for pid in process_tree(root)])

    async def load(self, call: Call, servers: str | Sequence[str] = ()) -> LoadResult:
        """``call`` under load; server CPU per call is metered over ``servers`` (addresses)."""
        meter = self.cpu_meter(servers)
        return await run_load(
            call, concurrency=self.options.concurrency, duration=self.options.duration, cpu_meter=meter
        )

    async def echo_server(self) -> tuple[str, Call]:
        """The bare echo server (same runner and auth), started once and kept for the run."""
        if self._echo_call is None:
            address = await self._echo_stack.enter_async_context(
                self.service_process("ppcore.echo", "ECHO", {"DATABASE_URL": "sqlite://"})
            )
            channels = self.channels(address)
            for channel in channels:
                self._echo_stack.push_async_callback(channel.close)
            stubs = [echo_grpc.EchoServiceStub(c) for c in channels]
            metadata = self.tokens.metadata(self.tokens.sales_platform())

            async def call(i: int) -> Any:
                return await stubs[i % len(stubs)].Echo(_ECHO_REQUEST, metadata=metadata, timeout=10)

            self._echo_address, self._echo_call = address, call
        return self._echo_address, self._echo_call

    async def echo_reference(self) -> LoadResult:
        address, call = await self.echo_server()
        return await self.load(call, address)

    async def compare_with_echo(
        self, name: str, call: Call, servers: str | Sequence[str], *, cpu_goal: float | None = None
    ) -> ScenarioResult:
        """Echo and the scenario alternate (A B A B ...) in this run, so both see the same
        machine; the ratios are the medians of the rounds' ratios. Goals of every hot path:
        >= half the echo throughput, p99 <= 2 x echo p99, and (where given) server CPU per
        call <= ``cpu_goal`` x echo's."""
        load_before = load_average()[0]
        echo_address, echo_call = await self.echo_server()
        loads: dict[str, LoadResult] = {}
        pairs: list[tuple[LoadResult, LoadResult]] = []
        for round_no in range(1, self.options.rounds + 1):
            echo = await self.load(echo_call, echo_address)
            service = await self.load(call, servers)
            loads[f"echo {round_no}"], loads[f"svc {round_no}"] = echo, service
            pairs.append((echo, service))
        return self._compared(name, pairs, loads, load_before, cpu_goal)

    async def compare_frames_with_echo(
        self,
        name: str,
        address: str,
        method: str,
        requests: Sequence[Message],
        *,
        cpu_goal: float,
        uncached_address: str = "",
    ) -> ScenarioResult:
        """A hot path against echo, both driven by prepared frames (``bench.frames``: a
        generator far cheaper than the server, each call a request of the list in turn).

        The requests are the working set: each is sent once before measuring, as the first
        checkouts of a day would fill the service's hot-row cache. ``uncached_address``: the
        same service with that cache off, measured in one more round (echo, uncached) and
        reported beside, never judged."""
        load_before = load_average()[0]
        echo_address, _ = await self.echo_server()
        metadata = self.tokens.metadata(self.tokens.sales_platform())
        echo_calls = frames.prepare(echo_address, _ECHO_METHOD, [_ECHO_REQUEST], metadata)
        calls = frames.prepare(address, method, requests, metadata)
        connections = self.options.channels
        streams = max(1, self.options.concurrency // connections)
        warm_failures = await frames.send_each_once(address, calls, connections=connections, streams=streams)

        async def load(target: str, prepared: Sequence[frames.PreparedCall]) -> LoadResult:
            return await frames.run_frames(
                target,
                prepared,
                connections=connections,
                streams=streams,
                duration=self.options.duration,
                cpu_meter=self.cpu_meter(target),
            )

        loads: dict[str, LoadResult] = {}
        pairs: list[tuple[LoadResult, LoadResult]] = []
        for round_no in range(1, self.options.hot_rounds + 1):
            echo = await load(echo_address, echo_calls)
            service = await load(address, calls)
            loads[f"echo {round_no}"], loads[f"svc {round_no}"] = echo, service
            pairs.append((echo, service))
        result = self._compared(name, pairs, loads, load_before, cpu_goal)
        result.metrics["working_set"] = float(len(requests))
        result.metrics["working_set_failures"] = float(warm_failures)
        result.metrics["client_cpu_us_per_call"] = statistics.median(s.client_cpu_us_per_call for _, s in pairs)
        if uncached_address:
            echo = await load(echo_address, echo_calls)
            uncached = await load(uncached_address, frames.prepare(uncached_address, method, requests, metadata))
            loads["echo uncached"], loads["svc uncached"] = echo, uncached
            result.metrics["uncached_cpu_us_per_call"] = uncached.cpu_us_per_call
            result.metrics["uncached_cpu_vs_echo"] = uncached.cpu_us_per_call / echo.cpu_us_per_call
            result.metrics["uncached_throughput_vs_echo"] = uncached.throughput / echo.throughput
            result.metrics["uncached_errors"] = float(uncached.errors)
        result.load_average = (load_before, load_average()[0])
        return result

    def _compared(
        self,
        name: str,
        pairs: list[tuple[LoadResult, LoadResult]],
        loads: dict[str, LoadResult],
        load_before: float,
        cpu_goal: float | None,
    ) -> ScenarioResult:

        def median(values: list[float]) -> float:
            return statistics.median(values) if values else 0.0

        def ratio(a: float, b: float) -> float:
            return a / b if b else 0.0

        throughput_ratio = median([ratio(s.throughput, e.throughput) for e, s in pairs])
        p99_ratio = median([ratio(s.p99_ms, e.p99_ms) for e, s in pairs])
        cpu_ratio = median([ratio(s.cpu_us_per_call, e.cpu_us_per_call) for e, s in pairs])
        services = [s for _, s in pairs]
        echoes = [e for e, _ in pairs]
        errors = sum(s.errors for s in services)
        # A ratio of 0 means echo measured nothing (it failed): no goal passes on it.
        echo_errors = sum(e.errors for e in echoes)
        goals = [
            Goal("throughput >= 0.5 x echo", throughput_ratio >= 0.5, f"{throughput_ratio:.2f} x echo (median)"),
            Goal("p99 <= 2 x echo p99", 0 < p99_ratio <= 2.0, f"{p99_ratio:.2f} x echo p99 (median)"),
            Goal("no errors", errors == 0 and echo_errors == 0, f"{errors} errors, {echo_errors} on echo"),
        ]
        if cpu_goal is not None:
            goals.append(
                Goal(f"server CPU per call <= {cpu_goal} x echo", 0 < cpu_ratio <= cpu_goal, f"{cpu_ratio:.2f} x echo")
            )
        return ScenarioResult(
            name=name,
            metrics={
                "throughput": median([s.throughput for s in services]),
                "p50_ms": median([s.p50_ms for s in services]),
                "p95_ms": median([s.p95_ms for s in services]),
                "p99_ms": median([s.p99_ms for s in services]),
                "cpu_us_per_call": median([s.cpu_us_per_call for s in services]),
                "errors": float(errors),
                "echo_throughput": median([e.throughput for e in echoes]),
                "echo_p99_ms": median([e.p99_ms for e in echoes]),
                "echo_cpu_us_per_call": median([e.cpu_us_per_call for e in echoes]),
                "throughput_vs_echo": throughput_ratio,
                "p99_vs_echo": p99_ratio,
                "cpu_vs_echo": cpu_ratio,
            },
            goals=goals,
            loads=loads,
            load_average=(load_before, load_average()[0]),
        )

    async def aclose(self) -> None:
        await self._echo_stack.aclose()
        self.close()

    def close(self) -> None:
        if self._nats is not None:
            self._nats.stop()


Scenario = Callable[[BenchContext], Any]  # async def run(ctx) -> ScenarioResult
