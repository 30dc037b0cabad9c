"""Directory read model: partners with ranking facts, badges, counted items, logins,
certificates and the sanctions the gateway enforces.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "gateway_0002"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_partners",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("company_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("city", sa.String(128), nullable=False, server_default=""),
        sa.Column("tier", sa.String(16), nullable=True),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("logo_ref", sa.String(512), nullable=False, server_default=""),
        sa.Column("phone", sa.String(64), nullable=False, server_default=""),
        sa.Column("office_address", sa.String(512), nullable=False, server_default=""),
        sa.Column("website_url", sa.String(512), nullable=False, server_default=""),
        sa.Column("card_complete", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("terminated", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("projects", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("monitored_projects", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("marketing_activity", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("certified_employees", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("active_points", sa.Numeric(18, 4), nullable=False, server_default="0"),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("score_policy_version", sa.String(64), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name="pk_directory_partners"),
    )
    op.create_index(
        "ix_directory_partners_listing",
        "directory_partners",
        ["card_complete", "terminated", "score", "partner_id"],
    )
    op.create_table(
        "directory_competencies",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "code", name="pk_directory_competencies"),
    )
    op.create_index("ix_directory_competencies_code", "directory_competencies", ["code", "partner_id"])
    op.create_table(
        "ranking_items",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "kind", "item_id", name="pk_ranking_items"),
    )
    op.create_table(
        "partner_logins",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("login", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "login", name="pk_partner_logins"),
    )
    op.create_index("ix_partner_logins_login", "partner_logins", ["login"])
    op.create_table(
        "login_certificates",
        sa.Column("certificate_id", sa.String(128), nullable=False),
        sa.Column("login", sa.String(255), nullable=False),
        sa.Column("course_code", sa.String(64), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("certificate_id", name="pk_login_certificates"),
    )
    op.create_index("ix_login_certificates_login", "login_certificates", ["login"])
    op.create_table(
        "partner_sanctions",
        sa.Column("sanction_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("lifted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("sanction_id", name="pk_partner_sanctions"),
    )
    op.create_index("ix_partner_sanctions_partner_id_kind", "partner_sanctions", ["partner_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_partner_sanctions_partner_id_kind", table_name="partner_sanctions")
    op.drop_table("partner_sanctions")
    op.drop_index("ix_login_certificates_login", table_name="login_certificates")
    op.drop_table("login_certificates")
    op.drop_index("ix_partner_logins_login", table_name="partner_logins")
    op.drop_table("partner_logins")
    op.drop_table("ranking_items")
    op.drop_index("ix_directory_competencies_code", table_name="directory_competencies")
    op.drop_table("directory_competencies")
    op.drop_index("ix_directory_partners_listing", table_name="directory_partners")
    op.drop_table("directory_partners")
