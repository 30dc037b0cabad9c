"""A private PostgreSQL cluster for tests that crash and restart the database server
(never the machine's shared one): initdb into a directory, start on a free port, stop
like a crash, start again on the same data."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ppcore.testing.nats import free_port

PG_BIN = Path(os.environ.get("PP_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the binaries as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class PrivatePostgres:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = port or free_port()
        self.log = directory / "postgres.log"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(_as_postgres([str(PG_BIN / argv[0]), *argv[1:]]), capture_output=True, check=check)

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"initdb not found in {PG_BIN} (set PP_TEST_PG_BIN)")
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        # fsync off: a killed server keeps what it wrote in the page cache, which is all a test crashes.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off -c max_connections=300"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120", "start")

    def crash(self) -> None:
        """Immediate shutdown: no checkpoint, every connection cut, recovery at the next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def database_url(self, name: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"
