"""The composition root of the licensing process: everything is built here, from settings."""

from __future__ import annotations

from licensing_service.adapters.orm import platform_tables
from licensing_service.config import LicensingSettings
from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import ServerApp


async def build_app(settings: LicensingSettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("licensing", settings, platform_tables, clock=clock)
    await platform.connect()
    return platform.server(services=[])
