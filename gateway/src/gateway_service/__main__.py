"""`python -m gateway_service [serve|migrate|downgrade|rebuild-directory]`."""

import asyncio
import sys
from pathlib import Path

from gateway_service.bootstrap import build_app, rebuild_directory_now
from gateway_service.config import GatewaySettings
from ppcore.logging import configure_logging
from ppcore.main import service_main
from ppcore.settings import load_settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    if sys.argv[1:2] == ["rebuild-directory"]:
        # Into GATEWAY_DATABASE_URL, a fresh database migrated first; then point the gateway at it.
        settings = load_settings(GatewaySettings)
        configure_logging("gateway", settings.log_level, settings.log_format)
        report = asyncio.run(rebuild_directory_now(settings))
        print(
            f"directory rebuilt: {report.partners} partners, {report.sanctions} sanctions, "
            f"{report.events_replayed} events after {report.positions}"
        )
        return
    service_main("gateway", GatewaySettings, build_app, MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
