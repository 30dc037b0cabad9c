"""One process of the suite, started, watched and stopped the same way wherever the suite
runs as OS processes: `make run` (``scripts.run_local``), the end-to-end and fault tests
(``tests/e2e``) and the robustness tests (``tests/robustness``).

A process appends its output to its own log file, so a replica that is killed and started
again keeps one log. Waiting for it to answer gives up at once when it has exited, naming
its log, instead of waiting out the timeout.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import grpc

from ppcore.testing.metrics import parse_samples

PROCESSES = [  # (name, module, settings prefix, fixed port of `make run`); the gateway last
    ("status", "status_service", "STATUS", 50051),
    ("points", "points_service", "POINTS", 50052),
    ("licensing", "licensing_service", "LICENSING", 50053),
    ("compliance", "compliance_service", "COMPLIANCE", 50054),
    ("gateway", "gateway_service", "GATEWAY", 50050),
]
MODULES = {name: (module, prefix) for name, module, prefix, _port in PROCESSES}


class ProcessExited(RuntimeError):
    """The process ended while it was expected to start serving."""


@dataclass
class ServiceProcess:
    name: str  # a key of MODULES
    port: int
    env: dict[str, str]
    log_path: Path
    index: int = 0  # the replica's number when a service runs several
    metrics_port: int = 0
    module: str = ""  # the Python module run with -m; by default the named service's
    cpus: str = ""  # a `taskset -c` CPU list the process and its threads are held to ("": any)
    popen: subprocess.Popen[bytes] | None = None
    log_offset: int = 0

    def __post_init__(self) -> None:
        self.module = self.module or MODULES[self.name][0]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return self.env[f"{MODULES[self.name][1]}_DATABASE_URL"]

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    # --- lifecycle -------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the process's database to the latest schema (``python -m <module> migrate``)."""
        done = subprocess.run([sys.executable, "-m", self.module, "migrate"], env=self.env, capture_output=True)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")
            raise RuntimeError(f"{self.name} migrate failed:\n{output[-4000:]}")

    async def migrate_async(self) -> None:
        await asyncio.to_thread(self.migrate)

    def start(self) -> None:
        command = [sys.executable, "-m", self.module]
        if self.cpus:  # before the interpreter starts, so every thread it makes inherits it
            command = ["taskset", "-c", self.cpus, *command]
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except FileNotFoundError:
            return ""

    def _check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise ProcessExited(
                f"{self.name} exited with code {self.popen.returncode}; {self.log_path} ends:\n{self.log_tail()}"
            )

    async def ready(self, within: float = 240) -> float:
        """Seconds until the process answers gRPC (a loaded CI machine starts slowly)."""
        started = time.monotonic()
        channel = grpc.aio.insecure_channel(self.address)
        try:
            while True:
                self._check_alive()
                try:
                    await asyncio.wait_for(channel.channel_ready(), 1.0)
                    return time.monotonic() - started
                except TimeoutError:
                    if time.monotonic() - started > within:
                        raise TimeoutError(
                            f"{self.name} did not answer on {self.address} within {within:.0f} s"
                        ) from None
        finally:
            await channel.close()

    def wait_ready(self, within: float = 240) -> float:
        """:meth:`ready` for callers without an event loop."""
        return asyncio.run(self.ready(within))

    def kill(self) -> None:
        """SIGKILL: no draining, no goodbye, like a crash of the pod."""
        if self.running:
            assert self.popen is not None
            self.popen.send_signal(signal.SIGKILL)
        self.wait(30)

    def terminate(self) -> None:
        """SIGTERM, the graceful stop; :meth:`wait` for it."""
        if self.running:
            assert self.popen is not None
            self.popen.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 60) -> int | None:
        return None if self.popen is None else self.popen.wait(timeout)

    def stop(self, timeout: float = 60) -> int | None:
        """SIGTERM and wait: the exit code (0 after a clean stop)."""
        self.terminate()
        return self.wait(timeout)

    def stop_or_kill(self, timeout: float = 20) -> int | None:
        """SIGTERM, and SIGKILL when the graceful stop takes longer than ``timeout``."""
        try:
            return self.stop(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.wait(10)

    # --- what it says ----------------------------------------------------------------------

    def in_flight(self) -> int:
        """Calls the process has received and not yet answered (its pp_rpc_in_flight gauge)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as reply:
            samples = parse_samples(reply.read().decode())
        if ("pp_rpc_in_flight", ()) not in samples:
            raise AssertionError("no pp_rpc_in_flight in /metrics")
        return int(samples[("pp_rpc_in_flight", ())])

    def _new_log_text(self) -> str:
        data = self.log_path.read_bytes()[self.log_offset :]
        self.log_offset += len(data)
        return data.decode("utf-8", "replace")

    def log_records(self) -> list[dict[str, object]]:
        """The JSON lines the process logged since the last look (moves the offset on)."""
        return [record for _line, record in _json_lines(self._new_log_text()) if record is not None]

    def new_log_problems(self) -> list[str]:
        """Error lines and tracebacks the process logged since the last look."""
        problems = []
        for line, record in _json_lines(self._new_log_text()):
            if record is None:
                if "Traceback" in line:
                    problems.append(line[:300])
            elif record.get("level") in {"error", "critical"} or "exception" in record:
                problems.append(line[:500])
        return problems


def _json_lines(text: str) -> list[tuple[str, dict[str, object] | None]]:
    """Each line with its JSON object, or None where the line is not one."""
    lines: list[tuple[str, dict[str, object] | None]] = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        lines.append((line, record if isinstance(record, dict) else None))
    return lines


def stop_all(processes: list[ServiceProcess], timeout: float = 60) -> dict[str, int | None]:
    """SIGTERM to every process at once (each takes its grace period), then wait for each."""
    for process in processes:
        process.terminate()
    return {f"{p.name}-{p.index}": p.wait(timeout) for p in processes}
