"""Contract application, authorization letter and termination (R-PRT-05..07)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import PermissionDenied
from ppcore.policy import ProgramPolicy
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain import lifecycle
from status_service.domain.contract import ContractApplication, ContractRequisites
from status_service.domain.employees import Actor
from status_service.domain.enums import Permission, TerminationForm
from status_service.domain.partner import Partner
from status_service.domain.staffing import access_of
from status_service.domain.termination import Termination
from status_service.service_layer.common import load_partner, save


def _require_cabinet_user(partner: Partner, actor: Actor, today: date) -> None:
    """Contract papers are the partner cabinet's: main user or full rights (R-EMP-01/02)."""
    if actor.is_staff:
        return
    if Permission.VIEW_CABINET not in access_of(partner, actor.login, today).permissions:
        raise PermissionDenied(
            reason="CABINET_NOT_ALLOWED",
            message=f"actor_login: {actor.login or '<anonymous>'} may not use the partner cabinet of "
            f"{partner.partner_id} (R-EMP-03)",
            rule="R-EMP-03",
        )


async def file_contract(
    uow: StatusUnitOfWork, partner_id: str, actor: Actor, requisites: ContractRequisites, now: datetime
) -> ContractApplication:
    partner = await load_partner(uow, partner_id)
    _require_cabinet_user(partner, actor, kyiv_date(now))
    contract = lifecycle.file_contract_application(partner, uuid.uuid4().hex, requisites, now)
    await save(uow, partner, now)
    return contract


async def accept_contract(
    uow: StatusUnitOfWork, partner_id: str, contract_id: str, now: datetime
) -> ContractApplication:
    partner = await load_partner(uow, partner_id)
    contract = lifecycle.accept_contract_application(partner, contract_id, now)
    await save(uow, partner, now)
    return contract


async def refuse_contract(
    uow: StatusUnitOfWork, partner_id: str, contract_id: str, reason: str, now: datetime
) -> ContractApplication:
    partner = await load_partner(uow, partner_id)
    contract = lifecycle.refuse_contract_application(partner, contract_id, reason, now)
    await save(uow, partner, now)
    return contract


async def terminate(
    uow: StatusUnitOfWork,
    partner_id: str,
    form: TerminationForm,
    notice_date: date,
    effective_date: date,
    reason: str,
    violation_case_id: str,
    now: datetime,
    policy: ProgramPolicy,
) -> Termination:
    """Schedules the end; completes it at once when the date is today or past (R-PRT-06/07)."""
    partner = await load_partner(uow, partner_id)
    termination = lifecycle.terminate_partner(
        partner, form, notice_date, effective_date, reason, now, policy, violation_case_id=violation_case_id
    )
    await save(uow, partner, now)
    return partner.termination or termination
