"""An agreed discount can be ended early by staff (R-PRC-01).

Revision ID: compliance_0005
Revises: compliance_0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "compliance_0005"
down_revision: str | None = "compliance_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreed_discounts") as batch:
        batch.add_column(sa.Column("ended_by", sa.String(128), nullable=False, server_default=""))
        batch.add_column(sa.Column("ended_time", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("end_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("agreed_discounts") as batch:
        batch.drop_column("end_reason")
        batch.drop_column("ended_time")
        batch.drop_column("ended_by")
