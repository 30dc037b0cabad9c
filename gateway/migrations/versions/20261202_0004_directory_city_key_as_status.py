"""Directory: re-key every partner's city with the canonicaliser status uses (R-LEAD-01).

The directory's own matcher keyed "Київ" as "київ" and left "Киев" apart; ``ppcore.cities``
is now the one implementation, so the stored keys are recomputed with it. The next events
(PartnerApproved, CardPublished) carry status's key and overwrite these.

Revision ID: gateway_0004
Revises: gateway_0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ppcore.cities import canonical_city

revision: str = "gateway_0004"
down_revision: str | None = "gateway_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PARTNERS = sa.table(
    "directory_partners",
    sa.column("partner_id", sa.String),
    sa.column("city", sa.String),
    sa.column("city_key", sa.String),
)


def upgrade() -> None:
    bind = op.get_bind()
    for partner_id, city in bind.execute(sa.select(_PARTNERS.c.partner_id, _PARTNERS.c.city)).all():
        bind.execute(
            _PARTNERS.update().where(_PARTNERS.c.partner_id == partner_id).values(city_key=canonical_city(city or ""))
        )


def downgrade() -> None:
    pass  # the keys stay valid: the filter canonicalises its query with the same function
