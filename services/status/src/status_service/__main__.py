"""`python -m status_service [serve|migrate|downgrade]`."""

from pathlib import Path

from ppcore.main import service_main
from status_service.bootstrap import build_app
from status_service.config import StatusSettings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main("status", StatusSettings, build_app, MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
