"""policy_versions: policy versions registered ahead of their effective date (R-POL-01).

Revision ID: status_0006
Revises: status_0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "status_0006"
down_revision: str | None = "status_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("registered_by", sa.String(255), nullable=False),
    )
    op.create_index("ix_policy_versions_effective_date", "policy_versions", ["effective_date"])


def downgrade() -> None:
    op.drop_index("ix_policy_versions_effective_date", table_name="policy_versions")
    op.drop_table("policy_versions")
