"""Leads and their offers: moderated before distribution, one canonical city (R-LEAD-01).

Revision ID: status_0003
Revises: status_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "status_0003"
down_revision: str | None = "status_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=255), nullable=False),
        sa.Column("city_key", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("moderated_by", sa.String(length=255), nullable=False),
        sa.Column("moderated_at", UTCDateTime(), nullable=True),
        sa.Column("moderation_note", sa.Text(), nullable=False),
        sa.Column("offered_at", UTCDateTime(), nullable=True),
        sa.Column("taken_by_partner_id", sa.String(length=64), nullable=False),
        sa.Column("taken_by_login", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_leads")),
    )
    op.create_index("ix_leads_state", "leads", ["state"])
    op.create_index("ix_leads_city_key", "leads", ["city_key"])
    op.create_table(
        "lead_offers",
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("login", sa.String(length=255), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("lead_id", "partner_id", name=op.f("pk_lead_offers")),
    )
    op.create_index("ix_lead_offers_partner_id", "lead_offers", ["partner_id"])


def downgrade() -> None:
    op.drop_table("lead_offers")
    op.drop_table("leads")
