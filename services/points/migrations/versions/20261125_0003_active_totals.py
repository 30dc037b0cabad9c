"""Daily totals become a change log: active_totals holds each partner's total as of the
latest computed date, and daily_totals keeps a row only on the dates a total changed.

Upgrade fills active_totals from the latest run and drops the rows that repeat the
previous total. Downgrade writes those rows back (a full row per partner with points per
computed date), so the earlier code reads the same totals.

Revision ID: points_0003
Revises: points_0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "points_0003"
down_revision: str | None = "points_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "active_totals",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("total_points", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name="pk_active_totals"),
        postgresql_with={"fillfactor": 70},
    )
    op.execute(
        """
        INSERT INTO active_totals (partner_id, total_points, business_date)
        SELECT d.partner_id, d.total_points, d.business_date
        FROM daily_totals d
        WHERE d.business_date = (SELECT max(r.business_date) FROM daily_total_runs r) AND d.total_points <> 0
        """
    )
    op.execute("DELETE FROM daily_totals WHERE total_points = previous_points")


def downgrade() -> None:
    op.execute(
        """
        INSERT INTO daily_totals (partner_id, business_date, total_points, previous_points, computed_at, policy_version)
        SELECT d.partner_id, r.business_date, d.total_points, d.total_points, r.computed_at, r.policy_version
        FROM daily_total_runs r
        JOIN daily_totals d ON d.business_date = (
            SELECT max(l.business_date) FROM daily_totals l
            WHERE l.partner_id = d.partner_id AND l.business_date <= r.business_date
        )
        WHERE d.business_date < r.business_date AND d.total_points <> 0
        """
    )
    op.drop_table("active_totals")
