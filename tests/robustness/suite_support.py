"""The whole suite as separate processes on PostgreSQL (one database each) and a real
nats-server, for the robustness tests: fuzzing every RPC and stopping processes under load."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import grpc

from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from ppcore.testing.postgres import admin_url, create_database, drop_database
from scripts.run_local import PROCESSES, process_env

MODULES = {name: (module, prefix) for name, module, prefix, _port in PROCESSES}
PLATFORM_TABLES = frozenset({"alembic_version", "outbox", "outbox_relay_lock", "inbox", "idempotency_keys"})


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@dataclass
class Process:
    name: str
    port: int
    database_url: str
    log_path: Path
    env: dict[str, str]
    metrics_port: int = 0
    popen: subprocess.Popen[bytes] | None = None
    log_offset: int = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        module = MODULES[self.name][0]
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen([sys.executable, "-m", module], env=self.env, stdout=log, stderr=log)
        with grpc.insecure_channel(self.address) as channel:
            grpc.channel_ready_future(channel).result(timeout=180)  # a loaded CI machine starts slowly

    def terminate(self) -> int:
        assert self.popen is not None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=60)

    def in_flight(self) -> int:
        """Calls the process has received and not yet answered (its pp_rpc_in_flight gauge)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as reply:
            for line in reply.read().decode().splitlines():
                if line.startswith("pp_rpc_in_flight "):
                    return int(float(line.split()[1]))
        raise AssertionError("no pp_rpc_in_flight in /metrics")

    def log_records(self) -> list[dict[str, object]]:
        """The JSON lines the process logged since the last look (moves the offset on)."""
        data = self.log_path.read_bytes()[self.log_offset :]
        self.log_offset += len(data)
        records = []
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def new_log_problems(self) -> list[str]:
        """Error lines and tracebacks the process logged since the last look."""
        text = self.log_path.read_bytes()[self.log_offset :].decode("utf-8", "replace")
        self.log_offset += len(text.encode("utf-8", "replace"))
        problems = []
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                if "Traceback" in line:
                    problems.append(line[:300])
                continue
            if not isinstance(record, dict):
                continue
            if record.get("level") in {"error", "critical"} or "exception" in record:
                problems.append(line[:500])
        return problems


@dataclass
class Suite:
    processes: dict[str, Process] = field(default_factory=dict)

    def stop(self) -> dict[str, int]:
        return {name: process.terminate() for name, process in self.processes.items() if process.popen}


def start_suite(
    work: Path, nats_url: str, names: Iterable[str] | None = None, extra_env: dict[str, str] | None = None
) -> Suite:
    """Create a database per process, migrate it, start the processes (all of the suite by default)."""
    chosen = list(names or MODULES)
    namespace = f"rb{free_port()}"
    ports = {name: free_port() for name in MODULES}
    suite = Suite()
    for name in chosen:
        _module, prefix = MODULES[name]
        database_url = asyncio.run(create_database(admin_url(), prefix=f"pp_rb_{name}"))
        env = process_env(prefix, ports[name], database_url, nats_url, TEST_JWT_SECRET, ports)
        env.update(
            {
                f"{prefix}_NATS_NAMESPACE": namespace,
                f"{prefix}_LOG_LEVEL": "INFO",
                f"{prefix}_LOG_FORMAT": "json",
                f"{prefix}_SCHEDULER_ENABLED": "false",
            }
        )
        metrics_port = free_port()
        env[f"{prefix}_METRICS_PORT"] = str(metrics_port)
        env.update({k.replace("{prefix}", prefix): v for k, v in (extra_env or {}).items()})
        migrated = subprocess.run([sys.executable, "-m", MODULES[name][0], "migrate"], env=env, capture_output=True)
        assert migrated.returncode == 0, f"{name} migrate failed: {migrated.stderr.decode(errors='replace')[-2000:]}"
        suite.processes[name] = Process(name, ports[name], database_url, work / f"{name}.log", env, metrics_port)
    for process in suite.processes.values():
        process.start()
    return suite


def drop_databases(suite: Suite) -> None:
    for process in suite.processes.values():
        asyncio.run(drop_database(admin_url(), process.database_url))


async def _fingerprint(url: str) -> tuple[str, int]:
    """(digest of every data table's rows, rows in the inbox) of one database."""
    conn = await asyncpg.connect(dsn(url))
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            if r["tablename"] not in PLATFORM_TABLES
        ]
        parts = " UNION ALL ".join(
            f"SELECT '{t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM \"{t}\" x"
            for t in tables
        )
        rows = await conn.fetch(f"SELECT t, h FROM ({parts}) s ORDER BY t") if tables else []
        inbox = await conn.fetchval("SELECT count(*) FROM inbox") if "inbox" in await _table_names(conn) else 0
        return "|".join(f"{r['t']}={r['h']}" for r in rows), int(inbox)
    finally:
        await conn.close()


async def _table_names(conn: asyncpg.Connection) -> set[str]:
    return {r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def fingerprint(url: str) -> tuple[str, int]:
    return asyncio.run(_fingerprint(url))


def env_flag(name: str, default: int) -> int:
    return int(os.environ.get(name, default))
