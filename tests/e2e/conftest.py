"""The whole suite as separate processes, the way `make run` starts it, on free ports:
``suite`` on SQLite files and the wall clock; ``year_suite`` on PostgreSQL following the
shared program time that the scenarios move (never sleeping), daily jobs on. Both with a
real nats-server."""

import asyncio
import sys
from pathlib import Path

import nats
import pytest

from ppcore.program_time import ProgramTimeControl
from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.run_local import PROCESSES, process_env, web_env
from scripts.supervisor import ServiceProcess, stop_all

# Shared helpers of the end-to-end tests (importable under --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))

from suites import YEAR_START, Suite, YearSuite


@pytest.fixture(scope="module")
def suite_settings() -> dict[str, str]:
    """Settings (without the prefix) every process of the module's suite gets; a test
    module overrides this fixture to change them ("metrics_port": "free" picks a port)."""
    return {"LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="module")
async def suite(tmp_path_factory, nats_server, suite_settings):
    work = tmp_path_factory.mktemp("suite")
    namespace = f"e2e{free_port()}"
    ports = {name: free_port() for name, *_ in PROCESSES}
    running = Suite(ports, http_port=free_port(), work=work)
    try:
        for name, _module, prefix, _fixed_port in PROCESSES:
            env = process_env(
                prefix,
                ports[name],
                f"sqlite:///{work / (name + '.db')}",
                nats_server.url,
                TEST_JWT_SECRET,
                {**ports, "gateway_http": running.http_port},
            )
            if prefix == "GATEWAY":
                env.update(web_env(TEST_JWT_SECRET))
            env[f"{prefix}_NATS_NAMESPACE"] = namespace
            for key, value in suite_settings.items():
                if key == "METRICS_PORT" and value == "free":
                    running.metrics_ports[name] = free_port()
                    value = str(running.metrics_ports[name])
                env[f"{prefix}_{key}"] = value
            # Daily jobs run when a test calls their RPC, not on the wall clock.
            env[f"{prefix}_SCHEDULER_ENABLED"] = "false"
            process = ServiceProcess(name, ports[name], env, work / f"{name}.log")
            running.processes[name] = process
            await process.migrate_async()
            process.start()
        await asyncio.gather(*(process.ready() for process in running.processes.values()))
        yield running
    finally:
        codes = stop_all(list(running.processes.values()), timeout=30)
        assert all(code == 0 for code in codes.values()), f"processes did not stop cleanly: {codes}; see {work}"


@pytest.fixture(scope="module")
async def year_suite(tmp_path_factory, nats_server, make_pg_database):
    """All five processes as separate OS processes on PostgreSQL and a real nats-server,
    each following the shared program time (set before they start) with its daily jobs on."""
    work = tmp_path_factory.mktemp("year")
    namespace = f"year{free_port()}"
    ports = {name: free_port() for name, *_ in PROCESSES}
    nc = await nats.connect(nats_server.url)
    running = YearSuite(ports, http_port=free_port(), work=work, control=ProgramTimeControl(nc.jetstream(), namespace))
    await running.time.set_time(YEAR_START)
    try:
        for name, _module, prefix, _fixed_port in PROCESSES:
            env = process_env(
                prefix,
                ports[name],
                await make_pg_database(),
                nats_server.url,
                TEST_JWT_SECRET,
                {**ports, "gateway_http": running.http_port},
            )
            env[f"{prefix}_NATS_NAMESPACE"] = namespace
            env[f"{prefix}_LOG_LEVEL"] = "INFO"
            env[f"{prefix}_SCHEDULER_ENABLED"] = "true"
            env[f"{prefix}_PROGRAM_TIME_ENABLED"] = "true"
            env[f"{prefix}_SHUTDOWN_GRACE_SECONDS"] = "2"
            # The scenarios prove what the view shows, not its latency on a busy CI machine.
            env["GATEWAY_CABINET_DEADLINE_SECONDS"] = "10"
            env["GATEWAY_ENTITLEMENT_DEADLINE_SECONDS"] = "5"
            running.processes[name] = ServiceProcess(name, ports[name], env, work / f"{name}.log")
        await asyncio.gather(*(process.migrate_async() for process in running.processes.values()))
        for process in running.processes.values():
            process.start()
        await asyncio.gather(*(process.ready() for process in running.processes.values()))
        await running.settle((await running.time.read(set(), set())).revision)
        yield running
    finally:
        codes = stop_all(list(running.processes.values()), timeout=30)
        await nc.close()
        assert all(code == 0 for code in codes.values()), f"processes did not stop cleanly: {codes}; see {work}"
