"""Alembic environment of the compliance database."""

from compliance_service.adapters.orm import metadata
from ppcore.migrations import run_env

run_env(metadata)
