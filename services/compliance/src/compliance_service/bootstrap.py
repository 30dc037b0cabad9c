"""The composition root of the compliance process: everything is built here, from settings."""

from __future__ import annotations

from compliance_service.adapters.orm import platform_tables
from compliance_service.config import ComplianceSettings
from ppcore.clock import Clock
from ppcore.runtime import Platform
from ppcore.server import ServerApp


async def build_app(settings: ComplianceSettings, *, clock: Clock | None = None) -> ServerApp:
    platform = Platform.create("compliance", settings, platform_tables, clock=clock)
    await platform.connect()
    return platform.server(services=[])
