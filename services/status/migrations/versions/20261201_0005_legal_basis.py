"""partners.contacts_legal_basis and employees.legal_basis: why the card's contacts and the logins
are held (R-PD-01).

Rows held before this revision were taken under the partner agreement: annex 1, point 2.2
(information exchange under the parties' agreements), the server default.

Revision ID: status_0005
Revises: status_0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "status_0005"
down_revision: str | None = "status_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFAULT = "PARTIES_AGREEMENTS"


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("contacts_legal_basis", sa.String(32), nullable=False, server_default=_DEFAULT))
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("legal_basis", sa.String(32), nullable=False, server_default=_DEFAULT))


def downgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("legal_basis")
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("contacts_legal_basis")
