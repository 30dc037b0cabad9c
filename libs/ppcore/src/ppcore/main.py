"""The command line every service process shares: ``serve`` (default), ``migrate``, ``downgrade``.

With ``<PREFIX>_PROCESSES`` = N > 1, ``serve`` starts N server processes that share the
gRPC port (SO_REUSEPORT: the kernel spreads new connections over them) and supervises
them: SIGTERM/SIGINT is passed on, and when one process dies the others are stopped and
the parent exits non-zero so that the orchestrator restarts the whole set.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from multiprocessing.connection import wait
from pathlib import Path
from types import FrameType
from typing import TypeVar

from ppcore.logging import bind_context, configure_logging, get_logger
from ppcore.server import ServerApp
from ppcore.settings import ServiceSettings, load_settings

S = TypeVar("S", bound=ServiceSettings)
BuildApp = Callable[[S], Awaitable[ServerApp]]


def service_main(
    name: str,
    settings_cls: type[S],
    build_app: BuildApp[S],
    migrations_dir: Path | None,
    argv: list[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {name}_service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve gRPC until SIGTERM (default)")
    if migrations_dir is not None:
        up = sub.add_parser("migrate", help="upgrade the database schema")
        up.add_argument("revision", nargs="?", default="head")
        down = sub.add_parser("downgrade", help="downgrade the database schema")
        down.add_argument("revision", nargs="?", default="-1")
    args = parser.parse_args(argv)
    settings = load_settings(settings_cls)
    configure_logging(name, settings.log_level, settings.log_format)
    log = get_logger(f"{name}.main")
    command = args.command or "serve"
    if command in ("migrate", "downgrade"):
        from ppcore.migrations import downgrade, upgrade  # only here: keeps the server's start light
    if command == "migrate" and migrations_dir is not None:
        upgrade(migrations_dir, settings.database_url, args.revision)
        log.info("db.migrated", revision=args.revision)
    elif command == "downgrade" and migrations_dir is not None:
        downgrade(migrations_dir, settings.database_url, args.revision)
        log.info("db.downgraded", revision=args.revision)
    elif settings.processes > 1:
        sys.exit(_supervise(name, settings_cls, build_app, settings.processes))
    else:
        asyncio.run(_serve(build_app, settings))


def process_settings(settings: S, index: int) -> S:
    """The settings of server process ``index`` of a set sharing one port.

    The relay (``FOR UPDATE SKIP LOCKED`` claim), the consumers (durable pull consumers:
    each message goes to one of them) and housekeeping already coordinate across replicas,
    so every process runs them. The in-process daily scheduler only remembers a finished
    date after the job, so two processes could both start it: only process 0 runs it.
    Process i serves /metrics on metrics_port + 100 * i (beside other services' ports).
    """
    update: dict[str, object] = {"process_index": index}
    if index > 0:
        update["scheduler_enabled"] = False
        if settings.metrics_port:
            update["metrics_port"] = settings.metrics_port + 100 * index
    return settings.model_copy(update=update)


async def _serve(build_app: BuildApp[S], settings: S) -> None:
    app = await build_app(settings)
    # What start-up built (modules, ORM mappings, the policy) lives as long as the process;
    # frozen, the collector stops walking it again at every full collection
    # (one full collection of licensing's start-up heap took 0.54 s under bench load).
    gc.freeze()
    await app.serve_until_signalled()


def _worker(name: str, settings_cls: type[S], build_app: BuildApp[S], index: int) -> None:
    settings = process_settings(load_settings(settings_cls), index)
    configure_logging(name, settings.log_level, settings.log_format)
    bind_context(worker=str(index))
    asyncio.run(_serve(build_app, settings))


def _supervise(name: str, settings_cls: type[S], build_app: BuildApp[S], count: int) -> int:
    log = get_logger(f"{name}.main")
    # spawn, not fork: each process starts clean (no gRPC core or event loop inherited).
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_worker, args=(name, settings_cls, build_app, i), name=f"{name}-{i}")
        for i in range(count)
    ]
    stopping = False

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.is_alive() and child.pid is not None:
                try:
                    os.kill(child.pid, signum)
                except ProcessLookupError:
                    pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.start()
    log.info("server.processes_started", processes=count, pids=[c.pid for c in children])
    remaining = {child.sentinel: child for child in children}
    failed = False
    while remaining:
        for sentinel in wait(list(remaining)):
            child = remaining.pop(sentinel)  # type: ignore[arg-type]
            child.join()
            if not stopping:
                failed = True
                stopping = True
                log.error("server.process_died", process=child.name, exitcode=child.exitcode)
                for other in remaining.values():
                    other.terminate()
    return 1 if failed else 0
