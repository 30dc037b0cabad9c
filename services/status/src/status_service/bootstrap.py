"""The composition root of the status process: everything is built here, from settings."""

from __future__ import annotations

from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import ServerApp
from status_service.adapters.orm import platform_tables
from status_service.config import StatusSettings


async def build_app(settings: StatusSettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("status", settings, platform_tables, clock=clock)
    await platform.connect()
    return platform.server(services=[])
