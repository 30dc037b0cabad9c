"""Daily totals from the day's movements (R-PTS-05): what a run needs besides the previous totals.

- ``daily_totals_pending``: every ledger entry recorded since a run took the pending ones,
  filled by a trigger on ``ledger_entries`` so that every writer (an older replica during a
  rolling deploy too) is counted;
- ``ix_ledger_entries_accrued_at`` / ``ix_ledger_entries_expires_at``: the entries that start
  or stop being active between two run instants, read from the index alone;
- ``daily_total_runs.pending_tracked``: the run was taken while the trigger existed, so the
  next run may start from it. Runs stored before this revision are not, and the first run
  after it recomputes every partner from the whole ledger.

Revision ID: points_0008
Revises: points_0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "points_0008"
down_revision: str | None = "points_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER = "ledger_entries_pending_totals"

# PostgreSQL: one set-based insert per statement (a transition table), so a bulk load pays
# one INSERT ... SELECT rather than a function call per row.
POSTGRES_FUNCTION = f"""
CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_totals_pending (entry_id, partner_id, accrued_at)
    SELECT entry_id, partner_id, accrued_at FROM recorded;
    RETURN NULL;
END
$$
"""
POSTGRES_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} AFTER INSERT ON ledger_entries
REFERENCING NEW TABLE AS recorded FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()
"""
SQLITE_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} AFTER INSERT ON ledger_entries FOR EACH ROW BEGIN
    INSERT INTO daily_totals_pending (entry_id, partner_id, accrued_at)
    VALUES (NEW.entry_id, NEW.partner_id, NEW.accrued_at);
END
"""


def upgrade() -> None:
    op.create_table(
        "daily_totals_pending",
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("accrued_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by_run", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("entry_id", name="pk_daily_totals_pending"),
    )
    op.create_index(
        "ix_ledger_entries_accrued_at",
        "ledger_entries",
        ["accrued_at"],
        postgresql_include=["expires_at", "partner_id", "amount"],
    )
    op.create_index(
        "ix_ledger_entries_expires_at",
        "ledger_entries",
        ["expires_at"],
        postgresql_include=["accrued_at", "partner_id", "amount"],
    )
    with op.batch_alter_table("daily_total_runs") as batch:
        batch.add_column(sa.Column("pending_tracked", sa.Boolean(), nullable=False, server_default=sa.false()))
    if _postgres():
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    op.execute(f"DROP TRIGGER {TRIGGER}" + (" ON ledger_entries" if _postgres() else ""))
    if _postgres():
        op.execute(f"DROP FUNCTION {TRIGGER}()")
    with op.batch_alter_table("daily_total_runs") as batch:
        batch.drop_column("pending_tracked")
    op.drop_index("ix_ledger_entries_expires_at", table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_accrued_at", table_name="ledger_entries")
    op.drop_table("daily_totals_pending")


def _postgres() -> bool:
    return op.get_context().dialect.name == "postgresql"
