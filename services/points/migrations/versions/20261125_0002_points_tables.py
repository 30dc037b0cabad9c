"""Points tables: ledger, orders, projects and their site keys, quality monitoring, point
requests, refuse-points sanctions, known partners, daily totals and their runs.

Revision ID: points_0002
Revises: points_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "points_0002"
down_revision: str | None = "points_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Amounts are integer hundredths (points_service.adapters.orm.Hundredths).
AMOUNT = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=False),
        sa.Column("amount", AMOUNT(), nullable=False),
        sa.Column("accrued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reverses_entry_id", sa.String(64), nullable=True),
        sa.Column("withheld_points", AMOUNT(), nullable=False),
        sa.Column("withheld_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name="pk_ledger_entries"),
    )
    # R-PTS-05: the as-of sum of one partner is an index-only scan on PostgreSQL.
    op.create_index(
        "ix_ledger_entries_partner_id_accrued_at",
        "ledger_entries",
        ["partner_id", "accrued_at"],
        postgresql_include=["expires_at", "amount"],
    )
    op.create_index("ix_ledger_entries_source_type_source_id", "ledger_entries", ["source_type", "source_id"])
    op.create_index("ix_ledger_entries_reverses_entry_id", "ledger_entries", ["reverses_entry_id"])

    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("amount_uah", AMOUNT(), nullable=False),
        sa.Column("ordered_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_orders"),
    )
    op.create_index("ix_orders_partner_id_ordered_at", "orders", ["partner_id", "ordered_at"])

    op.create_table(
        "projects",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("site_url", sa.Text(), nullable=False),
        sa.Column("site_key", sa.String(512), nullable=False),
        sa.Column("mirror_urls", sa.JSON(), nullable=False),
        sa.Column("license_key", sa.String(128), nullable=False),
        sa.Column("edition_code", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("publish_on_site", sa.Boolean(), nullable=False),
        sa.Column("template_design", sa.Boolean(), nullable=False),
        sa.Column("joint_partner_id", sa.String(64), nullable=True),
        sa.Column("contract_holder_partner_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("review_due_date", sa.Date(), nullable=False),
        sa.Column("submission_count", sa.Integer(), nullable=False),
        sa.Column("moderator_note", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("base_points", AMOUNT(), nullable=True),
        sa.Column("awarded_share", AMOUNT(), nullable=True),
        sa.Column("ledger_entry_id", sa.String(64), nullable=True),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_projects"),
    )
    op.create_index("ix_projects_partner_id_state", "projects", ["partner_id", "state"])
    op.create_index("ix_projects_state_review_due_date", "projects", ["state", "review_due_date"])
    op.create_index("ix_projects_license_key", "projects", ["license_key"])

    op.create_table(
        "project_site_keys",
        sa.Column("site_key", sa.String(512), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("site_key", "project_id", name="pk_project_site_keys"),
    )
    op.create_index("ix_project_site_keys_project_id", "project_site_keys", ["project_id"])

    op.create_table(
        "monitoring_submissions",
        sa.Column("submission_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("site_key", sa.String(512), nullable=False),
        sa.Column("license_key", sa.String(128), nullable=False),
        sa.Column("edition_code", sa.String(64), nullable=False),
        sa.Column("client_name", sa.Text(), nullable=False),
        sa.Column("client_phone", sa.String(64), nullable=False),
        sa.Column("client_email", sa.String(320), nullable=False),
        sa.Column("test_results", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("survey_scores", sa.JSON(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("surveyed_by", sa.String(128), nullable=False),
        sa.Column("ledger_entry_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("submission_id", name="pk_monitoring_submissions"),
    )
    op.create_index("ix_monitoring_submissions_partner_id_state", "monitoring_submissions", ["partner_id", "state"])
    op.create_index("ix_monitoring_submissions_site_key", "monitoring_submissions", ["site_key"])
    op.create_index("ix_monitoring_submissions_client_email", "monitoring_submissions", ["client_email"])
    op.create_index("ix_monitoring_submissions_client_phone", "monitoring_submissions", ["client_phone"])

    op.create_table(
        "point_requests",
        sa.Column("point_request_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("requested_points", AMOUNT(), nullable=False),
        sa.Column("evidence_description", sa.Text(), nullable=False),
        sa.Column("evidence_links", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("granted_points", AMOUNT(), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("ledger_entry_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("point_request_id", name="pk_point_requests"),
    )
    op.create_index("ix_point_requests_partner_id_state", "point_requests", ["partner_id", "state"])
    op.create_index("ix_point_requests_state_due_date", "point_requests", ["state", "due_date"])

    op.create_table(
        "refuse_points_sanctions",
        sa.Column("sanction_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sanction_id", name="pk_refuse_points_sanctions"),
    )
    op.create_index("ix_refuse_points_sanctions_partner_id", "refuse_points_sanctions", ["partner_id"])

    op.create_table(
        "known_partners",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("company_name", sa.Text(), nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("partner_id", name="pk_known_partners"),
    )

    op.create_table(
        "daily_totals",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("total_points", AMOUNT(), nullable=False),
        sa.Column("previous_points", AMOUNT(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "business_date", name="pk_daily_totals"),
    )
    op.create_index("ix_daily_totals_business_date_partner_id", "daily_totals", ["business_date", "partner_id"])

    op.create_table(
        "daily_total_runs",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("partner_count", sa.Integer(), nullable=False),
        sa.Column("changed_count", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("ran_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("business_date", name="pk_daily_total_runs"),
    )


def downgrade() -> None:
    op.drop_table("daily_total_runs")
    op.drop_index("ix_daily_totals_business_date_partner_id", table_name="daily_totals")
    op.drop_table("daily_totals")
    op.drop_table("known_partners")
    op.drop_index("ix_refuse_points_sanctions_partner_id", table_name="refuse_points_sanctions")
    op.drop_table("refuse_points_sanctions")
    op.drop_index("ix_point_requests_state_due_date", table_name="point_requests")
    op.drop_index("ix_point_requests_partner_id_state", table_name="point_requests")
    op.drop_table("point_requests")
    for name in ("client_phone", "client_email", "site_key", "partner_id_state"):
        op.drop_index(f"ix_monitoring_submissions_{name}", table_name="monitoring_submissions")
    op.drop_table("monitoring_submissions")
    op.drop_index("ix_project_site_keys_project_id", table_name="project_site_keys")
    op.drop_table("project_site_keys")
    for name in ("license_key", "state_review_due_date", "partner_id_state"):
        op.drop_index(f"ix_projects_{name}", table_name="projects")
    op.drop_table("projects")
    op.drop_index("ix_orders_partner_id_ordered_at", table_name="orders")
    op.drop_table("orders")
    for name in ("reverses_entry_id", "source_type_source_id", "partner_id_accrued_at"):
        op.drop_index(f"ix_ledger_entries_{name}", table_name="ledger_entries")
    op.drop_table("ledger_entries")
