"""The whole suite as separate processes (SQLite files, a real nats-server), the way
`make run` starts it, on free ports."""

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.run_local import PROCESSES, process_env

# Shared helpers of the end-to-end tests (importable under --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))


@dataclass
class Suite:
    ports: dict[str, int]
    http_port: int
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"


@pytest.fixture(scope="module")
async def suite(tmp_path_factory, nats_server):
    work = tmp_path_factory.mktemp("suite")
    namespace = f"e2e{free_port()}"
    ports = {name: free_port() for name, *_ in PROCESSES}
    running = Suite(ports, http_port=free_port())
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
            env[f"{prefix}_NATS_NAMESPACE"] = namespace
            env[f"{prefix}_LOG_LEVEL"] = "WARNING"
            # Daily jobs run when a test calls their RPC, not on the wall clock.
            env[f"{prefix}_SCHEDULER_ENABLED"] = "false"
            subprocess.run([sys.executable, "-m", module, "migrate"], env=env, check=True, capture_output=True)
            log = open(work / f"{name}.log", "wb")  # noqa: SIM115 - open as long as the process runs
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
