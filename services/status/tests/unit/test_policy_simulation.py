"""What if the rules change? The simulation over every partner (R-POL-01)."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import yaml

from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy, Tier, parse_policy
from status_service.domain.employees import Employee
from status_service.domain.enums import Condition, LeadDelivery, Role
from status_service.domain.partner import Partner
from status_service.domain.policy_simulation import simulate_policy, simulation_csv
from status_service.domain.review import review_partner
from status_service.domain.status_engine import evaluate_status, partner_status_facts
from status_service.service_layer.simulation import candidate_policy

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANNIVERSARY = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


def variant(policy: ProgramPolicy, version: str, **gold: int) -> ProgramPolicy:
    """The policy file with some Gold figures changed, through the start-up validation."""
    raw = policy.model_dump(mode="json")
    raw["version"] = version
    raw["statuses"]["gold"].update(gold)
    return parse_policy(yaml.safe_dump(raw, allow_unicode=True))


def staffed(
    make_partner: MakePartner, policy: ProgramPolicy, pid: str, points: int, *, monitored: bool = True
) -> Partner:
    """A partner with three specialists holding every course; its status decided at T0."""
    partner = make_partner(pid, applicant_login=f"{pid}-main", contact_email=f"{pid}@example.ua")
    for n in range(3):
        login = f"{pid}-e{n}"
        partner.roster.employees[login] = Employee(login, Role.CERTIFIED_SPECIALIST, frozenset(), T0)
    if monitored:
        partner.monitoring_completions["prj"] = date(2026, 2, 1)
    partner.active_points = points
    evaluate_status(partner, partner_status_facts(partner, courses(policy, [partner]), T0.date(), policy), T0, policy)
    partner.events.clear()
    partner.history.clear()
    return partner


def courses(policy: ProgramPolicy, partners: list[Partner]) -> dict[str, frozenset[str]]:
    every = frozenset(policy.course_codes())
    return {login: every for p in partners for login in p.roster.logins() if "-e" in login}


def test_the_policy_in_force_as_candidate_changes_nothing_and_predicts_the_review(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-POL-01: with the candidate equal to the policy in force there are no differences, and
    the in-force outcome is exactly what the daily review's own decision does on that day."""
    partners = [staffed(make_partner, policy, "p1", 550), staffed(make_partner, policy, "p2", 150)]
    partners[0].active_points = 90  # below Certified by the anniversary: the review lowers it
    held = courses(policy, partners)
    reviewed = copy.deepcopy(partners)
    for partner in reviewed:
        review_partner(partner, held, ANNIVERSARY, policy)

    report = simulate_policy(partners, held, ANNIVERSARY, policy, policy)

    assert report.partners == ()
    assert (report.keys_to_issue, report.keys_to_revoke, report.discount_changes) == (0, 0, ())
    assert report.before == report.after
    assert dict(report.before) == {
        Tier.BUSINESS: sum(p.status.tier is Tier.BUSINESS for p in reviewed),
        Tier.CERTIFIED: sum(p.status.tier is Tier.CERTIFIED for p in reviewed),
        Tier.GOLD: sum(p.status.tier is Tier.GOLD for p in reviewed),
    }
    assert [p.status.tier for p in reviewed] == [Tier.BUSINESS, Tier.CERTIFIED]
    assert [p.status.tier for p in partners] == [Tier.GOLD, Tier.CERTIFIED]  # nothing changed in place
    assert all(not p.events and not p.history for p in partners)


def test_gold_at_600_lists_exactly_the_gold_partners_below_600_at_their_anniversary(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-POL-01, R-STS-05: with Gold at 600 points, the Gold partner holding 550 at its
    anniversary falls to Certified (have 550, need 600); Gold at 700 and Certified stay."""
    partners = [
        staffed(make_partner, policy, "p550", 550),
        staffed(make_partner, policy, "p700", 700),
        staffed(make_partner, policy, "p150", 150),
    ]
    candidate = variant(policy, "gold-600", min_active_points=600)

    report = simulate_policy(partners, courses(policy, partners), ANNIVERSARY, policy, candidate)

    assert [p.partner_id for p in report.partners] == ["p550"]
    row = report.partners[0]
    assert (row.tier_now, row.current.tier, row.candidate.tier) == (Tier.GOLD, Tier.GOLD, Tier.CERTIFIED)
    assert (row.current.discount_percent, row.candidate.discount_percent) == (50, 45)
    assert (row.current.lead_reach, row.candidate.lead_reach) == (LeadDelivery.ANY_CITY, LeadDelivery.OWN_CITY)
    assert row.current.status_nfr_keys - row.candidate.status_nfr_keys == policy.nfr.gold_extra_keys
    assert [(i.condition, i.actual, i.required, i.met) for i in row.deciding] == [
        (Condition.ACTIVE_POINTS, 550, 600, False)
    ]
    assert (report.keys_to_issue, report.keys_to_revoke) == (0, policy.nfr.gold_extra_keys)
    assert [(c.tier, c.from_percent, c.to_percent, c.partners) for c in report.discount_changes] == [
        (Tier.CERTIFIED, 50, 45, 1)
    ]
    assert (report.before[Tier.GOLD], report.after[Tier.GOLD]) == (2, 1)
    assert (report.current_version, report.candidate_version) == (policy.version, "gold-600")

    rows = list(csv.reader(io.StringIO(simulation_csv(report))))
    assert rows[0][:3] == ["partner_id", "company_name", "tier_now"]
    assert rows[1][:5] == ["p550", "Webstudio LLC", "GOLD", "GOLD", "CERTIFIED"]
    assert rows[1][-1] == "GOLD ACTIVE_POINTS: have 550, need 600"


def test_mid_year_a_raised_threshold_changes_nobody_and_a_lowered_one_upgrades_at_once(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-STS-04/05: mid-year a status is kept (only the anniversary lowers it), while a
    higher status is assigned as soon as its conditions hold, so Gold at 400 upgrades now."""
    partners = [staffed(make_partner, policy, "p550", 550), staffed(make_partner, policy, "p450", 450)]
    mid_year = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    held = courses(policy, partners)

    raised = simulate_policy(partners, held, mid_year, policy, variant(policy, "gold-600", min_active_points=600))
    lowered = simulate_policy(partners, held, mid_year, policy, variant(policy, "gold-400", min_active_points=400))

    assert raised.partners == ()
    assert [(p.partner_id, p.current.tier, p.candidate.tier) for p in lowered.partners] == [
        ("p450", Tier.CERTIFIED, Tier.GOLD)
    ]
    assert [(i.condition, i.actual, i.required, i.met) for i in lowered.partners[0].deciding] == [
        (Condition.ACTIVE_POINTS, 450, 400, True)
    ]
    assert lowered.keys_to_issue == policy.nfr.gold_extra_keys


def test_an_invalid_candidate_is_refused_naming_the_field(policy: ProgramPolicy) -> None:
    """R-POL-01: the candidate is validated exactly as the policy file at start-up."""
    raw = policy.model_dump(mode="json")
    raw["statuses"]["gold"]["min_active_points"] = -5
    with pytest.raises(InvalidArgument) as bad:
        candidate_policy(yaml.safe_dump(raw))
    assert [v.field for v in bad.value.violations] == ["policy_document.statuses.gold.min_active_points"]
    with pytest.raises(InvalidArgument) as empty:
        candidate_policy("  ")
    assert empty.value.reason == "FIELD_REQUIRED"
    with pytest.raises(InvalidArgument) as broken:
        candidate_policy("statuses: [unclosed")
    assert [v.field for v in broken.value.violations] == ["policy_document"]
