"""partners.city_key: the canonical place of the partner's city, so a city filter matches any spelling (R-LEAD-01).

Backfilled from the published card's office city, else the questionnaire's city, with the
domain's canonicaliser as it stands at this revision.

Revision ID: status_0004
Revises: status_0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from status_service.domain.cities import canonical_city

revision: str = "status_0004"
down_revision: str | None = "status_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _office_city(document: Any) -> str:
    published = ((document or {}).get("card") or {}).get("published") or {}
    return str(published.get("office_city") or "")


def upgrade() -> None:
    op.add_column("partners", sa.Column("city_key", sa.String(length=255), nullable=False, server_default=""))
    op.create_index("ix_partners_city_key", "partners", ["city_key"])
    partners = sa.table(
        "partners", sa.column("partner_id", sa.String), sa.column("city", sa.String), sa.column("document", sa.JSON)
    )
    keys = sa.table("partners", sa.column("partner_id", sa.String), sa.column("city_key", sa.String))
    bind = op.get_bind()
    for partner_id, city, document in bind.execute(
        sa.select(partners.c.partner_id, partners.c.city, partners.c.document)
    ):
        key = canonical_city(_office_city(document) or city)
        bind.execute(sa.update(keys).where(keys.c.partner_id == partner_id).values(city_key=key))


def downgrade() -> None:
    op.drop_index("ix_partners_city_key", table_name="partners")
    op.drop_column("partners", "city_key")
