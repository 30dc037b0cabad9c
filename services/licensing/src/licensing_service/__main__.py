"""`python -m licensing_service [serve|migrate|downgrade]`."""

from pathlib import Path

from licensing_service.bootstrap import build_app
from licensing_service.config import LicensingSettings
from ppcore.main import service_main

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main("licensing", LicensingSettings, build_app, MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
