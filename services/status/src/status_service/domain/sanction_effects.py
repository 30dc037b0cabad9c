"""What a sanction from compliance does to status-owned state, and its lifting (R-SAN-01/02/09).

Blocks, lead disconnection and list exclusion act through ``Partner.restrictions`` on each
day they are in force; downgrades, competency removal and termination change state now.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ppcore.clock import kyiv_date
from ppcore.policy import ProgramPolicy
from status_service.domain.competency_decisions import revoke_competency
from status_service.domain.enums import SanctionKind, TerminationForm
from status_service.domain.lifecycle import terminate_partner
from status_service.domain.partner import Partner
from status_service.domain.sanctions import ActiveSanction, one_step_down, validate_sanction
from status_service.domain.status_engine import downgrade_by_sanction


def apply_sanction(partner: Partner, sanction: ActiveSanction, now: datetime, policy: ProgramPolicy) -> bool:
    """Record a sanction and apply its immediate effect; False when already applied (idempotent)."""
    if sanction.sanction_id in partner.sanctions:
        return False
    validate_sanction(sanction, policy.sanctions.max_block_months)
    today = kyiv_date(now)
    if sanction.kind is SanctionKind.STATUS_DOWNGRADE:
        # R-SAN-02: resolve "one step down" now, so the cap stays fixed while in force.
        sanction = replace(sanction, target_tier=sanction.target_tier or one_step_down(partner.status.tier))
    partner.sanctions[sanction.sanction_id] = sanction
    if not sanction.in_force(today):
        return True
    if sanction.kind is SanctionKind.STATUS_DOWNGRADE and sanction.target_tier is not None:
        downgrade_by_sanction(partner, sanction.target_tier, sanction.sanction_id, now, policy)
    elif sanction.kind is SanctionKind.COMPETENCY_REMOVAL:
        for code in sorted(partner.competencies):
            if sanction.covers_competency(code):
                revoke_competency(partner, code, "sanction", now, policy, sanction_id=sanction.sanction_id)  # R-SAN-02
    elif sanction.kind is SanctionKind.CONTRACT_TERMINATION:
        # R-SAN-09 / R-PRT-06: termination by the program's decision, effective from the sanction's start.
        current = partner.termination
        if current is None or (not current.completed and sanction.start_date < current.effective_date):
            terminate_partner(
                partner,
                TerminationForm.PROGRAM_DECISION,
                min(sanction.start_date, today),
                sanction.start_date,
                "sanction",
                now,
                policy,
                sanction_id=sanction.sanction_id,
            )
    return True


def lift_sanction(partner: Partner, sanction_id: str) -> ActiveSanction | None:
    """Staff lift a sanction early (R-SAN-01); blocks and caps end, removals and terminations stay."""
    return partner.sanctions.pop(sanction_id, None)


def prune_ended_sanctions(partner: Partner, now: datetime) -> list[ActiveSanction]:
    """Drop sanctions past their end date; they lift automatically (R-SAN-01)."""
    today = kyiv_date(now)
    ended = [s for s in partner.sanctions.values() if s.end_date is not None and today >= s.end_date]
    for sanction in ended:
        del partner.sanctions[sanction.sanction_id]
    return ended
