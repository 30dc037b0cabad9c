"""Key registry, NFR grants, cloud NFRs, histories, edition changes, sales ledger, sanctions.

Revision ID: licensing_0002
Revises: licensing_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "licensing_0002"
down_revision: str | None = "licensing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
KEY = sa.String(40)
CODE = sa.String(32)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # VerifyKey reads this table only, by its primary key (R-NFR-10).
    op.create_table(
        "license_keys",
        sa.Column("key", KEY, nullable=False),
        sa.Column("kind", CODE, nullable=False),
        sa.Column("edition", CODE, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("activated", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("grant_id", ID, nullable=True),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_license_keys"),
    )
    op.create_table(
        "partners",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("tier", CODE, nullable=False),
        sa.Column("terminated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name="pk_partners"),
    )
    op.create_table(
        "nfr_grants",
        sa.Column("grant_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("kind", CODE, nullable=False),
        sa.Column("entitlement", CODE, nullable=False),
        sa.Column("edition", CODE, nullable=False),
        sa.Column("key", KEY, nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("state", CODE, nullable=False),
        sa.Column("revocation_cause", CODE, nullable=True),
        sa.Column("edition_changed", sa.Boolean(), nullable=False),
        sa.Column("years_renewed", sa.Integer(), nullable=False),
        sa.Column("site_url", sa.String(2048), nullable=False),
        sa.Column("usage_restriction", CODE, nullable=False),
        sa.Column("retired_keys", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("grant_id", name="pk_nfr_grants"),
    )
    op.create_index("ix_nfr_grants_partner_id", "nfr_grants", ["partner_id"])
    op.create_index("ix_nfr_grants_state_valid_until", "nfr_grants", ["state", "valid_until"])
    op.create_table(
        "cloud_nfrs",
        sa.Column("cloud_nfr_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("portal_domain", sa.String(253), nullable=False),
        sa.Column("plan", CODE, nullable=False),
        sa.Column("disk_gb", sa.Integer(), nullable=False),
        sa.Column("custom_domain_allowed", sa.Boolean(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("years_renewed", sa.Integer(), nullable=False),
        sa.Column("state", CODE, nullable=False),
        sa.Column("revocation_cause", CODE, nullable=True),
        sa.PrimaryKeyConstraint("cloud_nfr_id", name="pk_cloud_nfrs"),
        sa.UniqueConstraint("partner_id", name="uq_cloud_nfrs_partner_id"),
    )
    op.create_index("ix_cloud_nfrs_state_valid_until", "cloud_nfrs", ["state", "valid_until"])
    op.create_table(
        "nfr_history",
        sa.Column("history_id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", CODE, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule", CODE, nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("key", KEY, nullable=False),
        sa.Column("detail", CODE, nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("history_id", name="pk_nfr_history"),
    )
    op.create_index("ix_nfr_history_subject_id", "nfr_history", ["subject_id"])
    op.create_index("ix_nfr_history_partner_id", "nfr_history", ["partner_id"])
    op.create_table(
        "edition_change_requests",
        sa.Column("change_request_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("grant_id", ID, nullable=False),
        sa.Column("from_edition", CODE, nullable=False),
        sa.Column("to_edition", CODE, nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("state", CODE, nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("change_request_id", name="pk_edition_change_requests"),
    )
    op.create_index("ix_edition_change_requests_partner_id", "edition_change_requests", ["partner_id"])
    op.create_table(
        "partner_sales",
        sa.Column("order_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("amount_uah", sa.Numeric(14, 2), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_partner_sales"),
    )
    op.create_index("ix_partner_sales_partner_id_order_date", "partner_sales", ["partner_id", "order_date"])
    op.create_table(
        "nfr_sanctions",
        sa.Column("sanction_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("state", CODE, nullable=False),
        sa.Column("revoked", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sanction_id", name="pk_nfr_sanctions"),
    )
    op.create_index("ix_nfr_sanctions_state_start_date", "nfr_sanctions", ["state", "start_date"])


def downgrade() -> None:
    op.drop_index("ix_nfr_sanctions_state_start_date", table_name="nfr_sanctions")
    op.drop_table("nfr_sanctions")
    op.drop_index("ix_partner_sales_partner_id_order_date", table_name="partner_sales")
    op.drop_table("partner_sales")
    op.drop_index("ix_edition_change_requests_partner_id", table_name="edition_change_requests")
    op.drop_table("edition_change_requests")
    op.drop_index("ix_nfr_history_partner_id", table_name="nfr_history")
    op.drop_index("ix_nfr_history_subject_id", table_name="nfr_history")
    op.drop_table("nfr_history")
    op.drop_index("ix_cloud_nfrs_state_valid_until", table_name="cloud_nfrs")
    op.drop_table("cloud_nfrs")
    op.drop_index("ix_nfr_grants_state_valid_until", table_name="nfr_grants")
    op.drop_index("ix_nfr_grants_partner_id", table_name="nfr_grants")
    op.drop_table("nfr_grants")
    op.drop_table("partners")
    op.drop_table("license_keys")
