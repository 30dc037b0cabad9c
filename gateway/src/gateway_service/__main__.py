"""`python -m gateway_service [serve|migrate|downgrade]`."""

from pathlib import Path

from gateway_service.bootstrap import build_app
from gateway_service.config import GatewaySettings
from ppcore.main import service_main

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main("gateway", GatewaySettings, build_app, MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
