"""Prices by what is sold: hidden-discount evidence on cases, discounts the vendor agreed (R-PRC-01/02).

Revision ID: compliance_0003
Revises: compliance_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "compliance_0003"
down_revision: str | None = "compliance_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("evidence_rebate_uah", sa.String(32), nullable=True))
        batch.add_column(sa.Column("evidence_free_extras", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "agreed_discounts",
        sa.Column("agreed_discount_id", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("vendor_reference", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("product_code", sa.String(64), nullable=False),
        sa.Column("sale_kind", sa.String(32), nullable=True),
        sa.Column("max_discount_percent", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_time", UTCDateTime(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("agreed_discount_id", name="pk_agreed_discounts"),
    )
    op.create_index("ix_agreed_discounts_valid_until", "agreed_discounts", ["valid_until"])


def downgrade() -> None:
    op.drop_index("ix_agreed_discounts_valid_until", table_name="agreed_discounts")
    op.drop_table("agreed_discounts")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("evidence_free_extras")
        batch.drop_column("evidence_rebate_uah")
