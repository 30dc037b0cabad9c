"""Alembic environment of the licensing database."""

from licensing_service.adapters.orm import metadata
from ppcore.migrations import run_env

run_env(metadata)
