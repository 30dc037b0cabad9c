"""Turning a decision into a ledger entry, and the flat main-point amounts (R-PTS-02, R-PTS-07)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from points_service.domain.ledger import LedgerEntry, SourceType, new_accrual
from points_service.domain.sanctions import RefusePointsSanction, apply_refuse_points
from ppcore.policy import ProgramPolicy


def accrue(
    *,
    entry_id: str,
    partner_id: str,
    source_type: SourceType,
    source_id: str,
    points: Decimal | int,
    at: datetime,
    decided_by: str,
    policy: ProgramPolicy,
    sanctions: Iterable[RefusePointsSanction] = (),
    note: str = "",
) -> LedgerEntry:
    """The ledger entry for a decision worth ``points``: zero with the reason under a sanction (R-PTS-07),
    expiring a year later (R-PTS-04), recording who decided and the policy version (R-PTS-06, R-POL-01).
    """
    amount = apply_refuse_points(points, partner_id, at, sanctions)
    return new_accrual(
        entry_id=entry_id,
        partner_id=partner_id,
        source_type=source_type,
        source_id=source_id,
        amount=amount.points,
        accrued_at=at,
        decided_by=decided_by,
        policy_version=policy.version,
        validity_months=policy.points.validity_months,
        note=note,
        withheld_points=amount.withheld_points,
        withheld_reason=amount.withheld_reason,
    )


class OtherMainAccrual(StrEnum):
    """Main-point sources with a flat policy amount (R-PTS-02)."""

    MARKETPLACE_MODULE = "MARKETPLACE_MODULE"
    COMPOSITE_SITE = "COMPOSITE_SITE"
    MOBILE_APP = "MOBILE_APP"

    @property
    def source_type(self) -> SourceType:
        return SourceType(self.value)


def other_main_points(kind: OtherMainAccrual, policy: ProgramPolicy) -> int:
    """R-PTS-02: the policy amount for a published Marketplace module, a Composite-site project or a mobile app."""
    main = policy.points.main
    return {
        OtherMainAccrual.MARKETPLACE_MODULE: main.marketplace_module_published,
        OtherMainAccrual.COMPOSITE_SITE: main.composite_site_project,
        OtherMainAccrual.MOBILE_APP: main.mobile_app_published,
    }[kind]
