"""The composition root of the gateway process: everything is built here, from settings."""

from __future__ import annotations

from gateway_service.adapters.orm import platform_tables
from gateway_service.config import GatewaySettings
from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import ServerApp


async def build_app(settings: GatewaySettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("gateway", settings, platform_tables, clock=clock)
    await platform.connect()
    return platform.server(services=[])
