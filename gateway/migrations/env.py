"""Alembic environment of the gateway read-model database."""

from gateway_service.adapters.orm import metadata
from ppcore.migrations import run_env

run_env(metadata)
