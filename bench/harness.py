"""What scenarios share: server processes, fresh PostgreSQL databases, tokens, the echo
reference, and the comparison against it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from bench.load import Call, LoadResult, run_load
from partnerprogram.echo.v1 import echo_service_pb2 as echo_pb
from partnerprogram.echo.v1 import echo_service_pb2_grpc as echo_grpc
from ppcore.migrations import upgrade_async
from ppcore.testing.nats import NatsServer, free_port
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens
from ppcore.testing.postgres import admin_url, create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]


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


@dataclass(frozen=True)
class Options:
    concurrency: int = 32
    duration: float = 10.0
    channels: int = 4
    quick: bool = False


class BenchContext:
    def __init__(self, options: Options, work_dir: Path) -> None:
        self.options = options
        self.work_dir = work_dir
        self.tokens = Tokens()
        self._echo: LoadResult | None = None
        self._nats: NatsServer | None = None

    # --- infrastructure -----------------------------------------------------------
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
        self, module: str, prefix: str, env: dict[str, str], *, port: int | None = None
    ) -> AsyncIterator[str]:
        """Run ``python -m module`` with ``<PREFIX>_*`` settings (on ``port``, or a free one); yields its address."""
        port = port or free_port()
        full_env = {
            **os.environ,
            f"{prefix}_GRPC_PORT": str(port),
            f"{prefix}_JWT_SECRET": TEST_JWT_SECRET,
            f"{prefix}_LOG_LEVEL": "WARNING",
            f"{prefix}_NATS_URL": env.pop("NATS_URL", "") or self.nats_url(),
            f"{prefix}_SCHEDULER_ENABLED": "false",
            **{f"{prefix}_{k}": v for k, v in env.items()},
        }
        log = open(self.work_dir / f"{module}.log", "wb")  # noqa: SIM115 - open as long as the process runs
        proc = subprocess.Popen([sys.executable, "-m", module], env=full_env, stdout=log, stderr=log)
        address = f"127.0.0.1:{port}"
        try:
            channel = grpc.aio.insecure_channel(address)
            try:
                await asyncio.wait_for(channel.channel_ready(), timeout=60)
            except TimeoutError:
                log.flush()
                tail = (self.work_dir / f"{module}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{module} did not listen on {address} within 60 s:\n{tail}") from None
            finally:
                await channel.close()
            yield address
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()

    def reserve_ports(self, names: list[str]) -> dict[str, int]:
        """Free ports for processes that must know each other's address before they start."""
        return {name: free_port() for name in names}

    def channels(self, address: str) -> list[grpc.aio.Channel]:
        return [
            grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(self.options.channels)
        ]

    # --- load -------------------------------------------------------------------------
    async def load(self, call: Call) -> LoadResult:
        return await run_load(call, concurrency=self.options.concurrency, duration=self.options.duration)

    async def echo_reference(self) -> LoadResult:
        """The bare echo server, same runner and auth, same concurrency; measured once per run."""
        if self._echo is None:
            async with self.service_process("ppcore.echo", "ECHO", {"DATABASE_URL": "sqlite://"}) as address:
                channels = self.channels(address)
                stubs = [echo_grpc.EchoServiceStub(c) for c in channels]
                metadata = self.tokens.metadata(self.tokens.sales_platform())
                request = echo_pb.EchoRequest(payload=b"x" * 64)

                async def call(i: int) -> Any:
                    return await stubs[i % len(stubs)].Echo(request, metadata=metadata, timeout=10)

                self._echo = await self.load(call)
                for channel in channels:
                    await channel.close()
        return self._echo

    async def compare_with_echo(self, name: str, service: LoadResult) -> ScenarioResult:
        """The goal of every hot path: >= half the echo throughput, p99 <= 2 x echo p99."""
        echo = await self.echo_reference()
        ratio = service.throughput / echo.throughput if echo.throughput else 0.0
        p99_ratio = service.p99_ms / echo.p99_ms if echo.p99_ms else float("inf")
        return ScenarioResult(
            name=name,
            metrics={
                "throughput": service.throughput,
                "p50_ms": service.p50_ms,
                "p95_ms": service.p95_ms,
                "p99_ms": service.p99_ms,
                "errors": float(service.errors),
                "echo_throughput": echo.throughput,
                "echo_p99_ms": echo.p99_ms,
                "throughput_vs_echo": ratio,
                "p99_vs_echo": p99_ratio,
            },
            goals=[
                Goal("throughput >= 0.5 x echo", ratio >= 0.5, f"{ratio:.2f} x echo"),
                Goal("p99 <= 2 x echo p99", p99_ratio <= 2.0, f"{p99_ratio:.2f} x echo p99"),
                Goal("no errors", service.errors == 0, f"{service.errors} errors"),
            ],
            loads={"service": service, "echo": echo},
        )

    def close(self) -> None:
        if self._nats is not None:
            self._nats.stop()


Scenario = Callable[[BenchContext], Any]  # async def run(ctx) -> ScenarioResult
