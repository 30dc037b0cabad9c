"""Orders keep their sales at the policy's price basis (list prices by default), converted once on
recording (R-NFR-06/08). Orders recorded before have no list prices: their column stays NULL and
is read as what the partner paid.

Revision ID: points_0006
Revises: points_0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "points_0006"
down_revision: str | None = "points_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("sales_uah", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("sales_uah")
