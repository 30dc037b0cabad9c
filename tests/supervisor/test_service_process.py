"""The one process supervisor (scripts/supervisor.py) on a real server process: the echo
reference, which needs neither a database server nor NATS to answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ppcore.testing.nats import free_port
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.supervisor import ProcessExited, ServiceProcess


def _echo(tmp_path: Path, **options: str) -> ServiceProcess:
    port = free_port()
    env = {
        **os.environ,
        "ECHO_GRPC_PORT": str(port),
        "ECHO_JWT_SECRET": TEST_JWT_SECRET,
        "ECHO_DATABASE_URL": "sqlite://",
        "ECHO_NATS_URL": "nats://127.0.0.1:1",  # echo never connects
    }
    return ServiceProcess("echo", port, env, tmp_path / "echo.log", module="ppcore.echo", **options)


def _allowed_cpus(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no Cpus_allowed_list")


async def test_a_process_held_to_one_core_serves_and_stops_cleanly(tmp_path):
    process = _echo(tmp_path, cpus="0")
    process.start()
    try:
        await process.ready(within=60)
        assert process.popen is not None
        assert _allowed_cpus(process.popen.pid) == "0"
    finally:
        code = process.stop(timeout=30)
    assert code == 0 and not process.running


async def test_waiting_for_a_process_that_exits_fails_at_once_with_its_log(tmp_path):
    process = _echo(tmp_path)
    process.env["ECHO_GRPC_PORT"] = "not-a-port"  # its settings refuse to load
    process.start()
    with pytest.raises(ProcessExited) as exited:
        await process.ready(within=60)
    assert "echo exited with code" in str(exited.value) and "GRPC_PORT" in str(exited.value).upper()
