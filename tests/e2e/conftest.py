"""The whole suite as separate processes, the way `make run` starts it, on free ports:
``suite`` on SQLite files and the wall clock; ``year_suite`` on PostgreSQL following the
shared program time that the scenarios move (never sleeping), daily jobs on. Both with a
real nats-server."""

import asyncio
import subprocess
import sys
from pathlib import Path

import grpc
import nats
import pytest

from ppcore.program_time import ProgramTimeControl
from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.run_local import PROCESSES, process_env, web_env

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
        for name, module, prefix, _fixed_port in PROCESSES:
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
            running.envs[name] = env
            subprocess.run([sys.executable, "-m", module, "migrate"], env=env, check=True, capture_output=True)
            running.logs[name] = work / f"{name}.log"
            log = open(running.logs[name], "wb")  # noqa: SIM115 - open as long as the process runs
            running.procs[name] = subprocess.Popen([sys.executable, "-m", module], env=env, stdout=log, stderr=log)
        for name in ports:
            channel = grpc.aio.insecure_channel(running.address(name))
            try:
                await channel.channel_ready()
            finally:
                await channel.close()
        yield running
    finally:
        for proc in running.procs.values():
            proc.terminate()
        for name, proc in running.procs.items():
            assert proc.wait(timeout=30) == 0, f"{name} did not stop cleanly; see {work / (name + '.log')}"


@pytest.fixture(scope="module")
async def year_suite(tmp_path_factory, nats_server, make_pg_database):
    """All five processes as separate OS processes on PostgreSQL and a real nats-server,
    each following the shared program time (set before they start) with its daily jobs on."""
    work = tmp_path_factory.mktemp("year")
    namespace = f"year{free_port()}"
    ports = {name: free_port() for name, *_ in PROCESSES}
    nc = await nats.connect(nats_server.url)
    running = YearSuite(ports, http_port=free_port(), control=ProgramTimeControl(nc.jetstream(), namespace), logs=work)
    await running.time.set_time(YEAR_START)
    try:
        envs = {}
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
            envs[name] = env

        async def migrate(module: str, env: dict[str, str]) -> None:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", module, "migrate", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            output, _ = await proc.communicate()
            assert proc.returncode == 0, output.decode()

        await asyncio.gather(*(migrate(module, envs[name]) for name, module, *_ in PROCESSES))
        for name, module, *_ in PROCESSES:
            log = open(work / f"{name}.log", "wb")  # noqa: SIM115 - open as long as the process runs
            running.procs[name] = subprocess.Popen(
                [sys.executable, "-m", module], env=envs[name], stdout=log, stderr=log
            )
        for name in ports:
            channel = grpc.aio.insecure_channel(running.address(name))
            try:
                await asyncio.wait_for(channel.channel_ready(), 240)
            finally:
                await channel.close()
        await running.settle((await running.time.read(set(), set())).revision)
        yield running
    finally:
        for proc in running.procs.values():
            proc.terminate()
        for name, proc in running.procs.items():
            assert proc.wait(timeout=30) == 0, f"{name} did not stop cleanly; see {work / (name + '.log')}"
        await nc.close()
