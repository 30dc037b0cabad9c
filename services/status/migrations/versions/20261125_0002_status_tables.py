"""Status tables: applications, partners, employees, certificates, status history, entitlements.

Handwritten from the typed rows of status_service.adapters.orm; ``entitlements`` is the
discount check's read table, read by primary key (R-ENT-01).

Revision ID: status_0002
Revises: status_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "status_0002"
down_revision: str | None = "status_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("applicant_login", sa.String(length=255), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("review_started_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("staff_note", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_applications")),
    )
    op.create_index("ix_applications_applicant_login", "applications", ["applicant_login"])
    op.create_index("ix_applications_state", "applications", ["state"])

    op.create_table(
        "certificates",
        sa.Column("certificate_id", sa.String(length=128), nullable=False),
        sa.Column("login", sa.String(length=255), nullable=False),
        sa.Column("course_code", sa.String(length=64), nullable=False),
        sa.Column("issued_date", sa.Date(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_certificates")),
    )
    op.create_index("ix_certificates_login", "certificates", ["login"])

    op.create_table(
        "entitlements",
        sa.Column("buyer_key", sa.String(length=300), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("terminated_from", sa.Date(), nullable=True),
        sa.Column("contract_accepted", sa.Boolean(), nullable=False),
        sa.Column("contract_suspended", sa.Boolean(), nullable=False),
        sa.Column("discount_blocked", sa.Boolean(), nullable=False),
        sa.Column("blocked_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("buyer_key", name=op.f("pk_entitlements")),
    )
    op.create_index("ix_entitlements_partner_id", "entitlements", ["partner_id"])

    op.create_table(
        "partners",
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("company_name", sa.String(length=255), nullable=False),
        sa.Column("legal_form", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=255), nullable=False),
        sa.Column("approved_date", sa.Date(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("granted_date", sa.Date(), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("valid_until_date", sa.Date(), nullable=True),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.Column("active_points", sa.Integer(), nullable=False),
        sa.Column("active_points_date", sa.Date(), nullable=True),
        sa.Column("terminated_from", sa.Date(), nullable=True),
        sa.Column("termination_completed", sa.Boolean(), nullable=False),
        sa.Column("has_sanctions", sa.Boolean(), nullable=False),
        sa.Column("competency_codes", sa.String(length=512), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_partners")),
    )
    op.create_index("ix_partners_city", "partners", ["city"])
    op.create_index("ix_partners_has_sanctions", "partners", ["has_sanctions"])
    op.create_index("ix_partners_terminated_from", "partners", ["terminated_from"])
    op.create_index("ix_partners_tier", "partners", ["tier"])
    op.create_index("ix_partners_valid_until_date", "partners", ["valid_until_date"])

    op.create_table(
        "status_history",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("from_tier", sa.String(length=16), nullable=True),
        sa.Column("to_tier", sa.String(length=16), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("granted_date", sa.Date(), nullable=False),
        sa.Column("valid_until_date", sa.Date(), nullable=True),
        sa.Column("sanction_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_status_history")),
    )
    op.create_index("ix_status_history_partner_id_seq", "status_history", ["partner_id", "seq"])

    op.create_table(
        "employees",
        sa.Column("login", sa.String(length=255), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("access_groups", sa.String(length=128), nullable=False),
        sa.Column("attached_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.partner_id"], name=op.f("fk_employees_partner_id_partners")),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_employees")),
    )
    op.create_index("ix_employees_partner_id", "employees", ["partner_id"])


def downgrade() -> None:
    for table in ("employees", "status_history", "partners", "entitlements", "certificates", "applications"):
        op.drop_table(table)
