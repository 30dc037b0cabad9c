"""Register and list scheduled policy versions (R-POL-01)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy
from ppcore.scheduler import parse_iso_date
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.policy_versions import ScheduledPolicy, policy_in_force, schedule_policy
from status_service.service_layer.simulation import candidate_policy


async def register(
    uow: StatusUnitOfWork, document: str, effective_text: str, now: datetime, base: ProgramPolicy, staff_login: str
) -> ScheduledPolicy:
    candidate = candidate_policy(document)
    if not effective_text:
        raise InvalidArgument.for_field(
            "effective_date", "is required (R-POL-01)", reason="FIELD_REQUIRED", rule="R-POL-01"
        )
    effective = parse_iso_date(effective_text, "effective_date")
    existing = await uow.policy_versions.every()
    scheduled = schedule_policy(base, existing, candidate, effective, kyiv_date(now), now, staff_login)
    scheduled = replace(scheduled, document=document)
    await uow.policy_versions.add(scheduled, document)
    return scheduled


async def versions(uow: StatusUnitOfWork, base: ProgramPolicy, on: date) -> tuple[list[ScheduledPolicy], ProgramPolicy]:
    """Every registered version and the policy in force on ``on``."""
    scheduled = await uow.policy_versions.every()
    return scheduled, policy_in_force(base, scheduled, on)
