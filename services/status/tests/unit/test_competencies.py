"""Competencies (R-CMP-01..04)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.competencies import active_competencies
from status_service.domain.competency_decisions import (
    grant_competency,
    record_monitoring_completion,
    revoke_competency,
)
from status_service.domain.events import CompetencyGranted, CompetencyRevoked
from status_service.domain.partner import Partner
from status_service.domain.status_engine import downgrade_by_sanction, evaluate_status
from status_service.domain.status_rules import StatusFacts

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD_FACTS = StatusFacts(500, 3, 3, 1)


def test_the_six_competencies_are_known_and_others_refused(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-CMP-01: the program's competencies come from the policy."""
    assert {c.code for c in policy.competencies} == {
        "COMPOSITE_SITE",
        "QUALITY_MONITORING",
        "INTEGRATION_1C",
        "PHP_HOSTING",
        "SYSTEM_ADMINISTRATION",
        "LARGE_CORPORATE",
    }
    with pytest.raises(InvalidArgument) as raised:
        grant_competency(make_partner(), "SEO", T0, policy)
    assert raised.value.rule == "R-CMP-01"


def test_business_partner_may_hold_any_competency_but_large_corporate(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-CMP-02: any status holds any competency except Large corporate (Gold + others)."""
    partner = make_partner()
    grant_competency(partner, "PHP_HOSTING", T0, policy)
    with pytest.raises(FailedPrecondition) as raised:
        grant_competency(partner, "LARGE_CORPORATE", T0, policy)
    assert raised.value.rule == "R-CMP-02"
    assert "status GOLD" in raised.value.message and "COMPOSITE_SITE" in raised.value.message


def test_losing_gold_suspends_large_corporate(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-CMP-02, R-CMP-04: the badge disappears while the partner is not Gold."""
    partner = make_partner()
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    for code in ("COMPOSITE_SITE", "INTEGRATION_1C", "LARGE_CORPORATE"):
        grant_competency(partner, code, T0, policy)
    assert "LARGE_CORPORATE" in active_competencies(partner.competencies, Tier.GOLD, policy)
    downgrade_by_sanction(partner, Tier.CERTIFIED, "s1", T0, policy)
    badges = active_competencies(partner.competencies, partner.status.tier, policy)
    assert badges == {"COMPOSITE_SITE", "INTEGRATION_1C"}
    assert "LARGE_CORPORATE" in partner.competencies


def test_losing_gold_announces_large_corporate_suspended_and_regaining_it_resumed(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-CMP-02, R-CMP-04: «Великі корпоративні впровадження» "присвоюється тільки Золотим
    сертифікованим партнерам" (3) and each competency is "відображається в списку партнерів":
    a partner that lost Gold stops showing it, so status tells the directory (a suspended
    CompetencyRevoked) and shows it again when Gold returns (a resumed CompetencyGranted).
    """
    partner = make_partner()
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    for code in ("COMPOSITE_SITE", "INTEGRATION_1C", "LARGE_CORPORATE"):
        grant_competency(partner, code, T0, policy)
    partner.events.clear()
    downgrade_by_sanction(partner, Tier.CERTIFIED, "s1", T0, policy)
    suspended = [e for e in partner.events if isinstance(e, CompetencyRevoked)]
    assert [(e.code, e.suspended) for e in suspended] == [("LARGE_CORPORATE", True)]
    assert "LARGE_CORPORATE" in partner.competencies
    partner.events.clear()
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    assert partner.status.tier is Tier.GOLD
    resumed = [e for e in partner.events if isinstance(e, CompetencyGranted)]
    assert [(e.code, e.resumed) for e in resumed] == [("LARGE_CORPORATE", True)]
    partner.events.clear()
    # Revoking a competency it requires suspends it too.
    assert revoke_competency(partner, "COMPOSITE_SITE", "staff decision", T0, policy)
    assert [(e.code, e.suspended) for e in partner.events if isinstance(e, CompetencyRevoked)] == [
        ("COMPOSITE_SITE", False),
        ("LARGE_CORPORATE", True),
    ]


def test_quality_monitoring_badge_follows_monitoring_results_not_staff(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-CMP-03: staff grant and revoke; the monitoring badge is automatic."""
    partner = make_partner()
    with pytest.raises(FailedPrecondition) as raised:
        grant_competency(partner, "QUALITY_MONITORING", T0, policy)
    assert raised.value.reason == "COMPETENCY_AUTOMATIC"
    assert record_monitoring_completion(partner, "prj1", date(2026, 3, 1), T0, policy)
    granted = partner.events[-1]
    assert isinstance(granted, CompetencyGranted) and granted.automatic
    assert not record_monitoring_completion(partner, "prj2", date(2026, 3, 2), T0, policy)
    assert revoke_competency(partner, "QUALITY_MONITORING", "staff decision", T0, policy)
    assert isinstance(partner.events[-1], CompetencyRevoked)
