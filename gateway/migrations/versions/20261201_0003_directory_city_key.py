"""Directory: the canonical city of each partner, for the city filter (R-CARD-03, R-LEAD-01).

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gateway_service.domain.cities import canonical_city

revision: str = "gateway_0003"
down_revision: str | None = "gateway_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_partners") as batch:
        batch.add_column(sa.Column("city_key", sa.String(128), nullable=False, server_default=""))
        batch.create_index("ix_directory_partners_city_key", ["city_key"])
    bind = op.get_bind()
    partners = sa.table("directory_partners", sa.column("partner_id", sa.String), sa.column("city", sa.String))
    keyed = sa.table("directory_partners", sa.column("partner_id", sa.String), sa.column("city_key", sa.String))
    for partner_id, city in bind.execute(sa.select(partners.c.partner_id, partners.c.city)).all():
        bind.execute(keyed.update().where(keyed.c.partner_id == partner_id).values(city_key=canonical_city(city or "")))


def downgrade() -> None:
    with op.batch_alter_table("directory_partners") as batch:
        batch.drop_index("ix_directory_partners_city_key")
        batch.drop_column("city_key")
