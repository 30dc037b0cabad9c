"""On-request key requests decided by staff, and the site check on the key (R-NFR-04/05/06).

Revision ID: licensing_0003
Revises: licensing_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.db import UTCDateTime

revision: str = "licensing_0003"
down_revision: str | None = "licensing_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
CODE = sa.String(32)


def upgrade() -> None:
    with op.batch_alter_table("nfr_grants") as batch:
        batch.add_column(sa.Column("site_checked_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("site_requirements_hold", sa.Boolean(), nullable=True))
    # Keys granted before staff review had every condition checked at issue: that is their site check.
    op.execute(
        "UPDATE nfr_grants SET site_checked_on = issued_on, site_requirements_hold = TRUE WHERE kind = 'ON_REQUEST'"
    )
    op.create_table(
        "on_request_key_requests",
        sa.Column("key_request_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("site_url", sa.String(2048), nullable=False),
        sa.Column("edition", CODE, nullable=False),
        sa.Column("site_on_product", sa.Boolean(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("original_design", sa.Boolean(), nullable=False),
        sa.Column("site_topic", CODE, nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("state", CODE, nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("grant_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("key_request_id", name="pk_on_request_key_requests"),
    )
    op.create_index("ix_on_request_key_requests_partner_id", "on_request_key_requests", ["partner_id"])
    op.create_index(
        "ix_on_request_key_requests_state_requested_at", "on_request_key_requests", ["state", "requested_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_on_request_key_requests_state_requested_at", table_name="on_request_key_requests")
    op.drop_index("ix_on_request_key_requests_partner_id", table_name="on_request_key_requests")
    op.drop_table("on_request_key_requests")
    with op.batch_alter_table("nfr_grants") as batch:
        batch.drop_column("site_requirements_hold")
        batch.drop_column("site_checked_on")
