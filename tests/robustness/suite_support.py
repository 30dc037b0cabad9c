"""The whole suite as separate processes on PostgreSQL (one database each) and a real
nats-server, for the robustness tests: fuzzing every RPC and stopping processes under load."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from ppcore.testing.postgres import admin_url, create_database, drop_database
from scripts.run_local import process_env
from scripts.supervisor import MODULES, ServiceProcess

PLATFORM_TABLES = frozenset({"alembic_version", "outbox", "outbox_relay_lock", "inbox", "idempotency_keys"})


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


Process = ServiceProcess  # the tests' name for one process of the suite


@dataclass
class Suite:
    processes: dict[str, Process] = field(default_factory=dict)

    def stop(self) -> dict[str, int | None]:
        return {name: process.stop() for name, process in self.processes.items() if process.popen}


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
        process = ServiceProcess(name, ports[name], env, work / f"{name}.log", metrics_port=metrics_port)
        process.migrate()
        suite.processes[name] = process
    for process in suite.processes.values():
        process.start()
        process.wait_ready(within=180)
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
