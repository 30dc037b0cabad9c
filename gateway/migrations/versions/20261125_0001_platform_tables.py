"""Platform tables: outbox, inbox, idempotency keys, relay lock.

Revision ID: gateway_0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

from ppcore.migrations import create_platform_tables, drop_platform_tables

revision: str = "gateway_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_platform_tables(op)


def downgrade() -> None:
    drop_platform_tables(op)
