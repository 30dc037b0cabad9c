"""`python -m compliance_service [serve|migrate|downgrade]`."""

from pathlib import Path

from compliance_service.bootstrap import build_app
from compliance_service.config import ComplianceSettings
from ppcore.main import service_main

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main("compliance", ComplianceSettings, build_app, MIGRATIONS_DIR)


if __name__ == "__main__":
    main()
