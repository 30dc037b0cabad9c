"""The composition root of the points process: everything is built here, from settings."""

from __future__ import annotations

from points_service.adapters.orm import platform_tables
from points_service.config import PointsSettings
from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import ServerApp


async def build_app(settings: PointsSettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("points", settings, platform_tables, clock=clock)
    await platform.connect()
    return platform.server(services=[])
