"""Alembic environment of the points database."""

from points_service.adapters.orm import metadata
from ppcore.migrations import run_env

run_env(metadata)
