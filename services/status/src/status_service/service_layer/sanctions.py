"""Sanctions from compliance applied to status-owned state (R-SAN-01/02/04/05/07/09)."""

from __future__ import annotations

from datetime import datetime

from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain import sanction_effects
from status_service.domain.sanctions import ActiveSanction
from status_service.service_layer.common import reevaluate, save


async def sanction_applied(
    uow: StatusUnitOfWork, sanction: ActiveSanction, partner_id: str, now: datetime, policy: ProgramPolicy
) -> None:
    partner = await uow.partners.get(partner_id, for_update=True)
    if partner is None:
        return
    if sanction_effects.apply_sanction(partner, sanction, now, policy):
        await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)


async def sanction_lifted(
    uow: StatusUnitOfWork, sanction_id: str, partner_id: str, now: datetime, policy: ProgramPolicy
) -> None:
    """Blocks and caps end at once; the entitlement rows follow in the same transaction."""
    partner = await uow.partners.get(partner_id, for_update=True)
    if partner is None:
        return
    if sanction_effects.lift_sanction(partner, sanction_id) is not None:
        await reevaluate(uow, partner, now, policy)
    await save(uow, partner, now)
