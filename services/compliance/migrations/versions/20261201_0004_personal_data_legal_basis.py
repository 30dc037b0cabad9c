"""The legal basis of the personal data a request holds (R-PD-01).

Revision ID: compliance_0004
Revises: compliance_0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "compliance_0004"
down_revision: str | None = "compliance_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("personal_data_requests") as batch:
        batch.add_column(sa.Column("legal_basis", sa.String(32), nullable=False, server_default="LEGAL_OBLIGATION"))


def downgrade() -> None:
    with op.batch_alter_table("personal_data_requests") as batch:
        batch.drop_column("legal_basis")
