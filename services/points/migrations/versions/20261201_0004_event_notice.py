"""Point requests record the partner's notice of intent to take part in an event (R-PTS-03).

Revision ID: points_0004
Revises: points_0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "points_0004"
down_revision: str | None = "points_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("point_requests") as batch:
        batch.add_column(sa.Column("event_notice_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("point_requests") as batch:
        batch.drop_column("event_notice_at")
