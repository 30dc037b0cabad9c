"""Alembic environment of the status database."""

from ppcore.migrations import run_env
from status_service.adapters.orm import metadata

run_env(metadata)
