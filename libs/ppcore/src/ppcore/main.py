"""The command line every service process shares: ``serve`` (default), ``migrate``, ``downgrade``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from ppcore.logging import configure_logging, get_logger
from ppcore.migrations import downgrade, upgrade
from ppcore.server import ServerApp
from ppcore.settings import ServiceSettings, load_settings

S = TypeVar("S", bound=ServiceSettings)


def service_main(
    name: str,
    settings_cls: type[S],
    build_app: Callable[[S], Awaitable[ServerApp]],
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
    if command == "migrate" and migrations_dir is not None:
        upgrade(migrations_dir, settings.database_url, args.revision)
        log.info("db.migrated", revision=args.revision)
    elif command == "downgrade" and migrations_dir is not None:
        downgrade(migrations_dir, settings.database_url, args.revision)
        log.info("db.downgraded", revision=args.revision)
    else:

        async def serve() -> None:
            app = await build_app(settings)
            await app.serve_until_signalled()

        asyncio.run(serve())
