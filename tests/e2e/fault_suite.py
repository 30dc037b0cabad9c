"""The suite for fault runs: every service as one or more replica processes (each a
separate OS process on its own port) against one database per service in a PRIVATE
PostgreSQL cluster the test may crash, and NATS as one node or a JetStream cluster the
test may kill and restart. Programme time follows the one control, as in ``year_suite``.

A replica is killed with SIGKILL (no goodbye, like a crash) and started again with the
same settings; the callers of a service reach every replica of it (round robin over
``ipv4:`` addresses, the way services reach each other's pods)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client as NatsClient
from suites import YEAR_START, YearSuite

from ppcore.program_time import ProgramTimeControl
from ppcore.testing.nats import NatsServer, free_port
from ppcore.testing.pg_cluster import PrivatePostgres
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.run_local import process_env
from scripts.supervisor import MODULES, ServiceProcess, stop_all


def addresses(ports: list[int]) -> str:
    """A gRPC target over every replica: one address, or an ``ipv4:`` list balanced round robin."""
    if len(ports) == 1:
        return f"127.0.0.1:{ports[0]}"
    return "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)


Replica = ServiceProcess  # one process of a service, killed and restarted by the test


@dataclass
class FaultSuite(YearSuite):
    replicas: dict[str, list[Replica]] = field(default_factory=dict)
    nats_nodes: list[NatsServer] = field(default_factory=list)
    postgres: PrivatePostgres | None = None
    databases: dict[str, str] = field(default_factory=dict)  # service -> SQLAlchemy URL
    namespace: str = ""
    nc: NatsClient | None = None

    def address(self, name: str) -> str:
        return addresses([r.port for r in self.replicas[name]])

    @property
    def pg(self) -> PrivatePostgres:
        assert self.postgres is not None
        return self.postgres

    @property
    def nats_url(self) -> str:
        return ",".join(node.url for node in self.nats_nodes)

    async def restart(self, name: str, index: int = 0) -> float:
        """Start a killed replica again; seconds until it answers."""
        replica = self.replicas[name][index]
        replica.start()
        return await replica.ready()


async def _create_database(pg: PrivatePostgres, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(pg.admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg.database_url(name)


@asynccontextmanager
async def fault_suite(
    work: Path, pg: PrivatePostgres, nats_nodes: list[NatsServer], *, replicas: int = 1
) -> AsyncIterator[FaultSuite]:
    """The five services, ``replicas`` processes each, following program time set to
    YEAR_START; stopped (whatever still runs) at the end."""
    namespace = f"f{free_port()}"
    suite = FaultSuite({}, http_port=0, work=work, nats_nodes=nats_nodes, postgres=pg, namespace=namespace)
    for name in MODULES:
        suite.replicas[name] = []
        for index in range(replicas):
            port = free_port()
            suite.replicas[name].append(Replica(name, port, {}, work / f"{name}-{index}.log", index=index))
        suite.ports[name] = suite.replicas[name][0].port
    suite.nc = await nats.connect([node.url for node in nats_nodes], max_reconnect_attempts=-1)
    suite.control = ProgramTimeControl(suite.nc.jetstream(timeout=10), namespace, replicas=len(nats_nodes))
    await suite.time.set_time(YEAR_START)
    try:
        for name, (_module, prefix) in MODULES.items():
            suite.databases[name] = await _create_database(pg, f"{namespace}_{name}")
            for replica in suite.replicas[name]:
                env = process_env(
                    prefix,
                    replica.port,
                    suite.databases[name],
                    suite.nats_url,
                    TEST_JWT_SECRET,
                    {"gateway_http": free_port()},
                )
                env.update({f"{prefix}_{other.upper()}_ADDRESS": suite.address(other) for other in MODULES})
                env.update(
                    {
                        f"{prefix}_NATS_NAMESPACE": namespace,
                        f"{prefix}_NATS_STREAM_REPLICAS": str(len(nats_nodes)),
                        f"{prefix}_LOG_LEVEL": "INFO",
                        f"{prefix}_SCHEDULER_ENABLED": "true",
                        f"{prefix}_PROGRAM_TIME_ENABLED": "true",
                        f"{prefix}_SHUTDOWN_GRACE_SECONDS": "2",
                        "GATEWAY_CABINET_DEADLINE_SECONDS": "10",
                        "GATEWAY_ENTITLEMENT_DEADLINE_SECONDS": "5",
                    }
                )
                replica.env = env
        await asyncio.gather(*(group[0].migrate_async() for group in suite.replicas.values()))
        for group in suite.replicas.values():
            for replica in group:
                replica.start()
        await asyncio.gather(*(r.ready() for group in suite.replicas.values() for r in group))
        await suite.settle((await suite.time.read(set(), set())).revision)
        yield suite
    finally:
        stop_all([replica for group in suite.replicas.values() for replica in group])
        await suite.nc.close()


def postgres_directory() -> Path:
    """A directory the postgres user may enter (pytest's temporary directories are private to root)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="pp-faults-pg-", dir=os.environ.get("PP_TEST_PG_DIR")))
