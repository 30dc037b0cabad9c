"""Partner facts that other services ask for (points, licensing, compliance)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ppcore.policy import Tier
from status_service.domain.certificates import certified_employee_count
from status_service.domain.partner import Partner


@dataclass(frozen=True)
class PartnerFacts:
    partner_id: str
    exists: bool
    terminated: bool
    contract_accepted: bool
    tier: Tier | None
    # Attached logins holding every one of the asked courses (R-EMP-06).
    certified_employee_count: int


def partner_facts(
    partner_id: str,
    partner: Partner | None,
    courses: Mapping[str, frozenset[str]],
    asked_courses: frozenset[str],
    today: date,
) -> PartnerFacts:
    if partner is None:
        return PartnerFacts(partner_id, False, False, False, None, 0)
    return PartnerFacts(
        partner_id=partner_id,
        exists=True,
        terminated=partner.is_terminated(today),
        contract_accepted=partner.contract_accepted,
        tier=partner.status.tier,
        certified_employee_count=certified_employee_count(partner.roster.logins(), courses, asked_courses),
    )
