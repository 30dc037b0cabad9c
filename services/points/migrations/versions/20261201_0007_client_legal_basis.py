"""monitoring_submissions.client_legal_basis: why the client's contact is held (R-PD-01).

Contacts held before this revision were taken for the client survey: annex 1, point 2.4
(surveys of the user's opinion of the products), the server default.

Revision ID: points_0007
Revises: points_0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "points_0007"
down_revision: str | None = "points_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("monitoring_submissions") as batch:
        batch.add_column(sa.Column("client_legal_basis", sa.String(32), nullable=False, server_default="USER_SERVICES"))


def downgrade() -> None:
    with op.batch_alter_table("monitoring_submissions") as batch:
        batch.drop_column("client_legal_basis")
