"""Project disputes settled by staff (R-PRJ-05/08), staff-declared site aliases (R-PRJ-05) and
language versions as projects of their own (R-PRJ-07).

Revision ID: points_0005
Revises: points_0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "points_0005"
down_revision: str | None = "points_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_disputes",
        sa.Column("dispute_id", sa.String(64), nullable=False),
        sa.Column("site_key", sa.String(512), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("contract_holder_partner_id", sa.String(64), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("dispute_id", name="pk_project_disputes"),
    )
    op.create_index("ix_project_disputes_state_opened_at", "project_disputes", ["state", "opened_at"])
    op.create_table(
        "site_aliases",
        sa.Column("alias_key", sa.String(512), nullable=False),
        sa.Column("site_key", sa.String(512), nullable=False),
        sa.Column("declared_by", sa.String(128), nullable=False),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("alias_key", name="pk_site_aliases"),
    )
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("dispute_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("language_version_of", sa.String(64), nullable=True))
        batch.create_index("ix_projects_dispute_id", ["dispute_id"])


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_dispute_id")
        batch.drop_column("language_version_of")
        batch.drop_column("dispute_id")
    op.drop_table("site_aliases")
    op.drop_index("ix_project_disputes_state_opened_at", table_name="project_disputes")
    op.drop_table("project_disputes")
