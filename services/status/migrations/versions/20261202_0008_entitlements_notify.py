"""entitlements notify their changed buyer keys (ppcore.notified_cache).

Statement-level triggers ``pg_notify('pp_entitlements_changed', <keys>)`` at commit, so
every process that keeps entitlement rows in memory for the discount check drops the
ones a transaction changed. PostgreSQL only: SQLite runs keep no such rows.

Revision ID: status_0008
Revises: status_0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from ppcore.notified_cache import drop_notify_trigger_sql, notify_trigger_sql

revision: str = "status_0008"
down_revision: str | None = "status_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "pp_entitlements_changed"  # status_service.service_layer.entitlement.ENTITLEMENTS_CHANNEL


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in notify_trigger_sql("entitlements", "buyer_key", CHANNEL):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in drop_notify_trigger_sql("entitlements"):
            op.execute(statement)
