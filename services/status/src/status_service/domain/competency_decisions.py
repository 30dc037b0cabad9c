"""Granting and revoking competencies on a partner, with events (R-CMP-02/03)."""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition
from ppcore.policy import ProgramPolicy
from status_service.domain.competencies import (
    QUALITY_MONITORING,
    HeldCompetency,
    active_competencies,
    check_grantable,
)
from status_service.domain.enums import SanctionKind
from status_service.domain.events import CompetencyGranted, CompetencyRevoked
from status_service.domain.partner import Partner


def _removed_by_sanction(partner: Partner, code: str, today: date) -> bool:
    return any(
        s.kind is SanctionKind.COMPETENCY_REMOVAL and s.in_force(today) and s.covers_competency(code)
        for s in partner.sanctions.values()
    )


def grant_competency(partner: Partner, code: str, now: datetime, policy: ProgramPolicy) -> HeldCompetency:
    """Staff grant a competency after checking its gate (R-CMP-02/03)."""
    today = kyiv_date(now)
    partner.require_active(today)
    check_grantable(code, frozenset(partner.competencies), partner.status.tier, policy, automatic=False)
    if _removed_by_sanction(partner, code, today):
        raise FailedPrecondition(
            reason="COMPETENCY_REMOVED_BY_SANCTION",
            message=f"competency_code: {code} was removed by a sanction still in force (R-SAN-02)",
            rule="R-SAN-02",
        )
    held = HeldCompetency(code, now)
    partner.competencies[code] = held
    partner.record(CompetencyGranted(partner_id=partner.partner_id, occurred_time=now, code=code, automatic=False))
    return held


def revoke_competency(
    partner: Partner, code: str, reason: str, now: datetime, policy: ProgramPolicy, *, sanction_id: str = ""
) -> bool:
    """Staff (or a sanction, R-SAN-02) take a competency away; False if it was not held.

    A competency that required the revoked one is suspended with it (R-CMP-02).
    """
    shown_before = shown_competencies(partner, policy)
    if partner.competencies.pop(code, None) is None:
        return False
    partner.record(
        CompetencyRevoked(
            partner_id=partner.partner_id, occurred_time=now, code=code, reason=reason, sanction_id=sanction_id
        )
    )
    announce_shown_changes(partner, shown_before, now, policy, reason=f"requires {code}")
    return True


def shown_competencies(partner: Partner, policy: ProgramPolicy) -> frozenset[str]:
    """The badges shown now: held and with their gate met (R-CMP-02/04)."""
    return active_competencies(partner.competencies, partner.status.tier, policy)


def announce_shown_changes(
    partner: Partner, shown_before: frozenset[str], now: datetime, policy: ProgramPolicy, *, reason: str
) -> None:
    """Tell read models which held competencies stopped or started showing (R-CMP-02/04).

    "Великі корпоративні впровадження ... присвоюється тільки Золотим сертифікованим
    партнерам" (3): losing Gold suspends it, so the card and the public directory drop the
    badge (``suspended``); regaining Gold shows it again (``resumed``). It stays held.
    """
    shown_after = shown_competencies(partner, policy)
    for code in sorted(shown_before - shown_after):
        if code in partner.competencies:
            partner.record(
                CompetencyRevoked(
                    partner_id=partner.partner_id, occurred_time=now, code=code, reason=reason, suspended=True
                )
            )
    for code in sorted(shown_after - shown_before):
        held = partner.competencies[code]
        partner.record(
            CompetencyGranted(
                partner_id=partner.partner_id, occurred_time=now, code=code, automatic=held.automatic, resumed=True
            )
        )


def record_monitoring_completion(
    partner: Partner, project_id: str, completed_date: date, now: datetime, policy: ProgramPolicy
) -> bool:
    """Remember a project through both monitoring stages and give the badge (R-CMP-03, R-QM-05).

    Returns True when the quality-monitoring badge was granted now.
    """
    partner.monitoring_completions[project_id] = completed_date
    today = kyiv_date(now)
    if (
        QUALITY_MONITORING in partner.competencies
        or policy.competency(QUALITY_MONITORING) is None
        or partner.is_terminated(today)
        or _removed_by_sanction(partner, QUALITY_MONITORING, today)
    ):
        return False
    check_grantable(QUALITY_MONITORING, frozenset(partner.competencies), partner.status.tier, policy, automatic=True)
    partner.competencies[QUALITY_MONITORING] = HeldCompetency(QUALITY_MONITORING, now, automatic=True)
    partner.record(
        CompetencyGranted(partner_id=partner.partner_id, occurred_time=now, code=QUALITY_MONITORING, automatic=True)
    )
    return True
