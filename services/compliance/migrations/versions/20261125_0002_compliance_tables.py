"""Compliance tables: partners (copy), cases, sanctions, control purchases, personal-data requests.

Revision ID: compliance_0002
Revises: compliance_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "compliance_0002"
down_revision: str | None = "compliance_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _evidence_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("evidence_description", sa.Text(), nullable=False),
        sa.Column("evidence_references", sa.JSON(), nullable=False),
        sa.Column("evidence_file_hashes", sa.JSON(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("partner_id", name="pk_partners"),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("violation_type", sa.String(32), nullable=False),
        sa.Column("mystery_shopper_kind", sa.String(64), nullable=True),
        sa.Column("violation_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("opened_time", UTCDateTime(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("incident_order_id", sa.String(128), nullable=True),
        *_evidence_columns(),
        sa.Column("evidence_observed_price_uah", sa.String(32), nullable=True),
        sa.Column("evidence_list_price_uah", sa.String(32), nullable=True),
        sa.Column("evidence_answer_wait_seconds", sa.Integer(), nullable=True),
        sa.Column("evidence_order_id", sa.String(128), nullable=False),
        sa.Column("evidence_edition_code", sa.String(64), nullable=False),
        sa.Column("decision_confirmed", sa.Boolean(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_time", UTCDateTime(), nullable=True),
        sa.Column("decision_policy_version", sa.String(64), nullable=True),
        sa.Column("appeal_statement", sa.Text(), nullable=True),
        sa.Column("appeal_filed_by", sa.String(128), nullable=True),
        sa.Column("appeal_filed_time", UTCDateTime(), nullable=True),
        sa.Column("appeal_deadline_date", sa.Date(), nullable=True),
        sa.Column("appeal_upheld", sa.Boolean(), nullable=True),
        sa.Column("appeal_reason", sa.Text(), nullable=True),
        sa.Column("appeal_decided_by", sa.String(128), nullable=True),
        sa.Column("appeal_decided_time", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name="pk_cases"),
        # R-PRC-02: one dumping incident per order.
        sa.UniqueConstraint("incident_order_id", name="uq_cases_incident_order_id"),
    )
    op.create_index("ix_cases_opened_time", "cases", ["opened_time", "case_id"])
    op.create_index("ix_cases_partner_id_opened_time", "cases", ["partner_id", "opened_time"])
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_table(
        "sanctions",
        sa.Column("sanction_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("target_tier", sa.String(16), nullable=True),
        sa.Column("competency_codes", sa.JSON(), nullable=False),
        sa.Column("nfr_key_ids", sa.JSON(), nullable=False),
        sa.Column("applied_by", sa.String(128), nullable=False),
        sa.Column("applied_time", UTCDateTime(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lift_reason", sa.String(32), nullable=True),
        sa.Column("lift_note", sa.Text(), nullable=True),
        sa.Column("lifted_by", sa.String(128), nullable=True),
        sa.Column("lifted_time", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sanction_id", name="pk_sanctions"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name="fk_sanctions_case_id_cases"),
    )
    op.create_index("ix_sanctions_partner_id_start_date", "sanctions", ["partner_id", "start_date"])
    op.create_index("ix_sanctions_case_id", "sanctions", ["case_id"])
    op.create_index("ix_sanctions_state_end_date", "sanctions", ["state", "end_date"])
    op.create_index("ix_sanctions_kind_start_date", "sanctions", ["kind", "start_date"])
    op.create_table(
        "control_purchases",
        sa.Column("purchase_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("edition_code", sa.String(64), nullable=False),
        sa.Column("paid_price_uah", sa.String(32), nullable=False),
        sa.Column("list_price_uah", sa.String(32), nullable=False),
        sa.Column("purchased_date", sa.Date(), nullable=False),
        *_evidence_columns(),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_time", UTCDateTime(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("purchase_id", name="pk_control_purchases"),
    )
    op.create_index("ix_control_purchases_partner_id", "control_purchases", ["partner_id"])
    op.create_table(
        "personal_data_requests",
        sa.Column("pd_request_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("subject_login", sa.String(255), nullable=False),
        sa.Column("subject_email", sa.String(255), nullable=False),
        sa.Column("subject_phone", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("opened_time", UTCDateTime(), nullable=False),
        sa.Column("completed_by", sa.String(128), nullable=False),
        sa.Column("completed_time", UTCDateTime(), nullable=True),
        sa.Column("completion_note", sa.Text(), nullable=False),
        sa.Column("subject_fingerprint", sa.String(80), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("pd_request_id", name="pk_personal_data_requests"),
    )
    op.create_index("ix_personal_data_requests_state_due_date", "personal_data_requests", ["state", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_personal_data_requests_state_due_date", table_name="personal_data_requests")
    op.drop_table("personal_data_requests")
    op.drop_index("ix_control_purchases_partner_id", table_name="control_purchases")
    op.drop_table("control_purchases")
    for index in (
        "ix_sanctions_kind_start_date",
        "ix_sanctions_state_end_date",
        "ix_sanctions_case_id",
        "ix_sanctions_partner_id_start_date",
    ):
        op.drop_index(index, table_name="sanctions")
    op.drop_table("sanctions")
    for index in ("ix_cases_state", "ix_cases_partner_id_opened_time", "ix_cases_opened_time"):
        op.drop_index(index, table_name="cases")
    op.drop_table("cases")
    op.drop_table("partners")
