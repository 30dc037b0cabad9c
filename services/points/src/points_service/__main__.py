"""`python -m points_service [serve|migrate|downgrade]`."""

from pathlib import Path

from points_service.bootstrap import build_app
from points_service.config import PointsSettings
from ppcore.main import service_main

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main("points", PointsSettings, build_app, MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
