"""Flat main accruals: Marketplace module, Composite-site project, mobile app (R-PTS-02)."""

from __future__ import annotations

from datetime import datetime

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.accruals import OtherMainAccrual, accrue, other_main_points
from points_service.domain.ledger import LedgerEntry
from points_service.service_layer.common import new_id, require_active_partner
from ppcore.errors import AlreadyExists, InvalidArgument
from ppcore.policy import ProgramPolicy


async def record(
    uow: PointsUnitOfWork,
    *,
    partner_id: str,
    kind: OtherMainAccrual,
    source_id: str,
    decided_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> LedgerEntry:
    """One accrual per kind and source id, of the policy amount; zero under a sanction (R-PTS-07)."""
    await require_active_partner(uow, partner_id, now)
    if not source_id.strip():
        raise InvalidArgument.for_field("source_id", "is required")
    if await uow.ledger.for_source(kind.source_type, source_id):
        raise AlreadyExists(
            reason="MAIN_ACCRUAL_EXISTS",
            message=f"source_id: {kind.value} {source_id} has accrued its points already (R-PTS-02)",
            rule="R-PTS-02",
        )
    entry = accrue(
        entry_id=new_id(),
        partner_id=partner_id,
        source_type=kind.source_type,
        source_id=source_id,
        points=other_main_points(kind, policy),
        at=now,
        decided_by=decided_by,
        policy=policy,
        sanctions=await uow.sanctions.for_partner(partner_id),
        note=f"{kind.value.lower().replace('_', ' ')} (R-PTS-02)",
    )
    uow.record_entry(entry)
    return entry
