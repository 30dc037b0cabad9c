"""license_keys notify their changed keys (ppcore.notified_cache).

Statement-level triggers ``pg_notify('pp_license_keys_changed', <keys>)`` at commit, so
every process that keeps key rows in memory for VerifyKey drops the
ones a transaction changed. PostgreSQL only: SQLite runs keep no such rows.

Revision ID: licensing_0004
Revises: licensing_0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from ppcore.notified_cache import drop_notify_trigger_sql, notify_trigger_sql

revision: str = "licensing_0004"
down_revision: str | None = "licensing_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "pp_license_keys_changed"  # licensing_service.adapters.key_registry.LICENSE_KEYS_CHANNEL


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in notify_trigger_sql("license_keys", "key", CHANNEL):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in drop_notify_trigger_sql("license_keys"):
            op.execute(statement)
