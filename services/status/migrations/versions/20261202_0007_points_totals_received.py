"""points_totals_received: the dates of points' daily totals status has heard of in full (R-PTS-05).

The daily review of a date starts only once the totals it reads are in (program time
catch-up order, see ARCHITECTURE.md "Daily jobs").

Revision ID: status_0007
Revises: status_0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "status_0007"
down_revision: str | None = "status_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "points_totals_received",
        sa.Column("business_date", sa.Date, primary_key=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("points_totals_received")
