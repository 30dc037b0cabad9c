"""`make run`: the whole suite on one machine.

Starts a local nats-server with JetStream (unless NATS_URL is set), migrates each
service's database (SQLite files under var/, or PostgreSQL databases when POSTGRES_URL
is set), starts gateway, status, points, licensing and compliance on their fixed ports,
prints where each listens, and stops everything cleanly on Ctrl-C. The processes follow
the shared program time, which `make time` reads, sets and advances.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from ppcore.clock import KYIV
from scripts.supervisor import PROCESSES, ProcessExited, ServiceProcess

__all__ = ["PROCESSES", "process_env", "web_env"]

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
GATEWAY_HTTP_PORT = 8050  # the gateway's HTTP/JSON side


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_env(
    prefix: str, port: int, database_url: str, nats_url: str, secret: str, ports: dict[str, int] | None = None
) -> dict[str, str]:
    """The environment of one process of the suite (also used by the end-to-end tests).

    ``ports`` maps process names to ports when they differ from the fixed ones
    (``gateway_http``: the gateway's HTTP side).
    """
    ports = ports or {}
    env = {
        **os.environ,
        f"{prefix}_GRPC_PORT": str(port),
        f"{prefix}_DATABASE_URL": database_url,
        f"{prefix}_NATS_URL": nats_url,
        f"{prefix}_JWT_SECRET": secret,
        f"{prefix}_LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
    }
    if os.environ.get("PROCESSES"):  # PROCESSES=2 make run: that many processes per service
        env.setdefault(f"{prefix}_PROCESSES", os.environ["PROCESSES"])
    if "metrics" in ports:
        env[f"{prefix}_METRICS_PORT"] = str(ports["metrics"])
    if prefix == "GATEWAY":
        env["GATEWAY_HTTP_PORT"] = str(ports.get("gateway_http", GATEWAY_HTTP_PORT))
    for other_name, _module, _prefix, other_port in PROCESSES:
        env.setdefault(f"{prefix}_{other_name.upper()}_ADDRESS", f"127.0.0.1:{ports.get(other_name, other_port)}")
    return env


def metrics_port(grpc_port: int) -> int:
    """Prometheus /metrics of a local process: its gRPC port + 1000 (status 51051, ...)."""
    return grpc_port + 1000


def web_env(secret: str) -> dict[str, str]:
    """The gateway's web pages on a local run (and in the end-to-end tests): the
    development sign-in offering the demo logins; never set in production."""
    from scripts.demo_program import DEMO_LOGINS

    return {
        "GATEWAY_WEB_DEV_SIGNIN": "true",
        "GATEWAY_WEB_DEMO_LOGINS": ";".join(f"{login}={what}" for login, what in DEMO_LOGINS),
        "GATEWAY_WEB_SESSION_SECRET": hashlib.sha256(f"web-session:{secret}".encode()).hexdigest(),
    }


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def wait_for_port(port: int, proc: subprocess.Popen[bytes], name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with code {proc.returncode}; see var/logs/{name}.log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not listen on {port} within {timeout:.0f} s")


def jwt_secret() -> str:
    path = VAR / "dev-jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


async def ensure_pg_database(base_url: str, name: str) -> str:
    url = make_url(base_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


def load_demo_program(secret: str, nats_url: str) -> None:
    """The demo program, on first start (PP_DEMO_PROGRAM=0 turns it off); idempotent anyway.

    The processes took the latest 23:00 totals at start, before the demo's history existed, and a
    date already computed is never recomputed (R-PTS-05). So, with program time on, program time
    then moves to the next 23:05 Kyiv: the totals count the demo's points and the demo partners
    hold the statuses their history earns (without it, from the wall clock's next 23:00).
    """
    marker = VAR / "demo-program.done"
    if os.environ.get("PP_DEMO_PROGRAM") == "0" or marker.exists():
        return
    from scripts.demo_program import DemoLoader

    print("\nloading the demo program (first start) ...", flush=True)
    addresses = {name: f"127.0.0.1:{port}" for name, _module, _prefix, port in PROCESSES if name != "gateway"}
    summary = asyncio.run(DemoLoader(addresses, secret).load())
    if os.environ.get("PROGRAM_TIME") != "0":
        from scripts import program_time

        evening = datetime.now(KYIV).replace(hour=23, minute=5, second=0, microsecond=0)
        if evening <= datetime.now(KYIV):
            evening += timedelta(days=1)
        print(f"  program time moves to {evening.isoformat()} so the 23:00 totals count the demo's points")
        asyncio.run(program_time.main(["--nats-url", nats_url, "set", evening.isoformat(), "--running"]))
    marker.write_text(f"{len(summary.partners)} partners\n")
    print(f"  demo program: {len(summary.partners)} partners, pending items in every staff queue (README: demo logins)")


def main() -> None:
    VAR.mkdir(exist_ok=True)
    (VAR / "logs").mkdir(exist_ok=True)
    children: list[ServiceProcess] = []
    nats_url = os.environ.get("NATS_URL")
    nats_proc: subprocess.Popen[bytes] | None = None
    if not nats_url:
        port = free_port()
        nats_bin = Path(sys.prefix) / "bin" / "nats-server"
        nats_proc = subprocess.Popen(
            [
                str(nats_bin),
                "-a",
                "127.0.0.1",
                "-p",
                str(port),
                "-js",
                "-sd",
                str(VAR / "nats"),
                "-l",
                str(VAR / "logs" / "nats.log"),
            ],
        )
        nats_url = f"nats://127.0.0.1:{port}"
        wait_for_port(port, nats_proc, "nats-server")
    postgres_url = os.environ.get("POSTGRES_URL")
    secret = jwt_secret()
    # `make time` finds the suite's NATS here to move program time.
    (VAR / "nats-url").write_text(nats_url + "\n")

    def stop_all() -> None:
        for process in reversed(children):
            process.terminate()
        for process in reversed(children):
            process.stop_or_kill(timeout=20)
            print(f"  stopped {process.name}")
        if nats_proc is not None:
            nats_proc.terminate()
            nats_proc.wait(timeout=10)
            print("  stopped nats-server")

    try:
        for name, _module, prefix, port in PROCESSES:
            database_url = (
                asyncio.run(ensure_pg_database(postgres_url, f"pp_{name}"))
                if postgres_url
                else f"sqlite:///{VAR / (name + '.db')}"
            )
            env = process_env(prefix, port, database_url, nats_url, secret, {"metrics": metrics_port(port)})
            if prefix == "GATEWAY":
                env.update(web_env(secret))
            # A local run follows the shared program time (`make time`); PROGRAM_TIME=0 turns it off.
            env.setdefault(
                f"{prefix}_PROGRAM_TIME_ENABLED", "false" if os.environ.get("PROGRAM_TIME") == "0" else "true"
            )
            process = ServiceProcess(name, port, env, VAR / "logs" / f"{name}.log")
            process.migrate()
            process.start()
            children.append(process)
            process.wait_ready(within=30)
        print("\nThe partner-program suite is running:")
        print(f"  nats         {nats_url}")
        for name, _module, _prefix, port in PROCESSES:
            print(f"  {name:<12} 127.0.0.1:{port}  (grpc, health, reflection; metrics :{metrics_port(port)}/metrics)")
        print(f"  {'gateway':<12} http://127.0.0.1:{GATEWAY_HTTP_PORT}  (HTTP/JSON, /openapi.json)")
        load_demo_program(secret, nats_url)
        print(
            f"  {'web pages':<12} http://127.0.0.1:{GATEWAY_HTTP_PORT}/  (directory; /cabinet, /staff after /auth/signin)"
        )
        print(f"\nLogs: {VAR / 'logs'}   Token: make token   Program time: make time   Stop: Ctrl-C\n")
        signal.signal(signal.SIGTERM, _raise_interrupt)
        while True:
            for process in children:
                if not process.running:
                    raise SystemExit(f"{process.name} exited; see {process.log_path}")
            time.sleep(1.0)
    except (ProcessExited, TimeoutError, RuntimeError) as problem:
        raise SystemExit(str(problem)) from None
    except KeyboardInterrupt:
        print("\nstopping ...")
    finally:
        stop_all()


if __name__ == "__main__":
    main()
