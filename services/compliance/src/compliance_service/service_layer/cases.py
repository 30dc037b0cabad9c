"""Use cases of violation cases: open, confirm, dismiss, appeal, decide the appeal (R-VIO-01, R-ETH-01).

Each runs inside a unit of work opened by the caller (``run_idempotent``) and does not commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.domain import cases as domain
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.sanctions import Sanction, lift_for_upheld_appeal
from compliance_service.domain.violation_types import MysteryShopperKind, ViolationType
from compliance_service.service_layer.deps import Deps, ScopeCheck, no_scope, partner_not_found
from ppcore.errors import not_found


@dataclass(frozen=True)
class OpenCase:
    partner_id: str
    violation_type: ViolationType
    mystery_shopper_kind: MysteryShopperKind | None
    violation_date: date
    evidence: Evidence
    actor: str


async def load_case(
    uow: ComplianceUnitOfWork, case_id: str, *, scope: ScopeCheck = no_scope, for_update: bool = False
) -> domain.ViolationCase:
    case = await uow.cases.get(case_id, for_update=for_update)
    if case is None:
        raise not_found("case", case_id)
    scope(case.partner_id)
    return case


async def open_case(uow: ComplianceUnitOfWork, deps: Deps, command: OpenCase) -> domain.ViolationCase:
    """Staff record a violation with its evidence (R-VIO-01, R-ETH-01)."""
    if command.partner_id and not await uow.partners.exists(command.partner_id):
        raise partner_not_found(command.partner_id)
    case = domain.open_case(
        case_id=deps.new_id(),
        partner_id=command.partner_id,
        violation_type=command.violation_type,
        mystery_shopper_kind=command.mystery_shopper_kind,
        violation_date=command.violation_date,
        evidence=command.evidence,
        opened_by=command.actor,
        now=deps.clock.now(),
        policy=deps.policy,
    )
    uow.cases.add(case)
    return case


async def confirm_case(
    uow: ComplianceUnitOfWork, deps: Deps, case_id: str, *, reason: str, actor: str
) -> domain.ViolationCase:
    case = await load_case(uow, case_id, for_update=True)
    event = case.confirm(reason=reason, decided_by=actor, now=deps.clock.now(), policy=deps.policy)
    await uow.cases.save(case)
    uow.record(event)
    return case


async def dismiss_case(
    uow: ComplianceUnitOfWork, deps: Deps, case_id: str, *, reason: str, actor: str
) -> domain.ViolationCase:
    case = await load_case(uow, case_id, for_update=True)
    event = case.dismiss(reason=reason, decided_by=actor, now=deps.clock.now(), policy=deps.policy)
    await uow.cases.save(case)
    uow.record(event)
    return case


async def appeal_case(
    uow: ComplianceUnitOfWork, deps: Deps, case_id: str, *, statement: str, actor: str, scope: ScopeCheck
) -> domain.ViolationCase:
    """The partner appeals a confirmation within the policy window (R-VIO-01)."""
    case = await load_case(uow, case_id, scope=scope, for_update=True)
    case.file_appeal(statement=statement, filed_by=actor, now=deps.clock.now(), policy=deps.policy)
    await uow.cases.save(case)
    return case


async def decide_appeal(
    uow: ComplianceUnitOfWork, deps: Deps, case_id: str, *, upheld: bool, reason: str, actor: str
) -> tuple[domain.ViolationCase, list[Sanction]]:
    """Staff decide an appeal; an upheld one lifts every sanction of the case (R-SAN-01)."""
    case = await load_case(uow, case_id, for_update=True)
    now = deps.clock.now()
    case.decide_appeal(upheld=upheld, reason=reason, decided_by=actor, now=now)
    await uow.cases.save(case)
    lifted: list[Sanction] = []
    if upheld:
        partner_sanctions = await uow.sanctions.of_partner(case.partner_id)
        events = lift_for_upheld_appeal(
            case, partner_sanctions=partner_sanctions, lifted_by=actor, now=now, policy=deps.policy
        )
        by_id = {s.sanction_id: s for s in partner_sanctions}
        for event in events:
            sanction = by_id[event.sanction_id]
            await uow.sanctions.save(sanction)
            uow.record(event)
            lifted.append(sanction)
    return case, lifted
