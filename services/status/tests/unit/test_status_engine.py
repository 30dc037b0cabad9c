"""The status engine: conditions, upgrades, anniversaries, history and certificate (R-STS-01..08)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.enums import Condition, StatusChangeReason, TerminationForm
from status_service.domain.events import StatusChanged, StatusConfirmed
from status_service.domain.lifecycle import terminate_partner
from status_service.domain.partner import Partner
from status_service.domain.status_engine import evaluate_status, status_certificate, status_view
from status_service.domain.status_record import StatusRecord
from status_service.domain.status_rules import (
    StatusFacts,
    count_monitored_projects,
    gather_status_facts,
    highest_tier_met,
    status_checklist,
)

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def facts(points: int = 0, certified: int = 0, gold_certified: int = 0, monitored: int = 0) -> StatusFacts:
    return StatusFacts(points, certified, gold_certified, monitored)


CERTIFIED_FACTS = facts(points=100, certified=2)
GOLD_FACTS = facts(points=500, certified=3, gold_certified=3, monitored=1)


def test_statuses_are_ordered_business_certified_gold() -> None:
    """R-STS-01: Business < Certified < Gold."""
    assert Tier.BUSINESS.rank < Tier.CERTIFIED.rank < Tier.GOLD.rank


def test_certified_needs_exactly_100_points_and_the_certified_employees(policy: ProgramPolicy) -> None:
    """R-STS-02: >= 100 active points and the policy number of certified employees."""
    assert highest_tier_met(facts(points=100, certified=2), policy) is Tier.CERTIFIED
    assert highest_tier_met(facts(points=99, certified=2), policy) is Tier.BUSINESS
    assert highest_tier_met(facts(points=100, certified=1), policy) is Tier.BUSINESS


def test_gold_needs_exactly_500_points_gold_specialists_and_monitoring(policy: ProgramPolicy) -> None:
    """R-STS-03: >= 500 points, specialists holding every course, a monitored project."""
    assert highest_tier_met(GOLD_FACTS, policy) is Tier.GOLD
    assert highest_tier_met(facts(points=499, certified=3, gold_certified=3, monitored=1), policy) is Tier.CERTIFIED
    assert highest_tier_met(facts(points=500, certified=3, gold_certified=2, monitored=1), policy) is Tier.CERTIFIED
    assert highest_tier_met(facts(points=500, certified=3, gold_certified=3, monitored=0), policy) is Tier.CERTIFIED


def test_gold_specialists_must_hold_every_current_course(policy: ProgramPolicy) -> None:
    """R-STS-03, R-EMP-06: only attached logins with all courses count for Gold."""
    all_courses = frozenset(policy.course_codes())
    courses = {"a": all_courses, "b": all_courses, "c": all_courses - {"B24_INTEGRATOR"}, "d": all_courses}
    gathered = gather_status_facts(
        active_points=500,
        attached_logins={"a", "b", "c"},
        courses=courses,
        monitoring_completion_dates=[date(2026, 1, 1)],
        today=date(2026, 3, 2),
        policy=policy,
    )
    assert gathered.certified_for_gold == 2
    assert gathered.certified_for_certified == 3


def test_monitoring_window_is_a_policy_option_counting_the_trailing_months() -> None:
    """R-STS-03 (policy option, off by default): a project completed within the last 12 months."""
    today = date(2026, 3, 2)
    assert count_monitored_projects([date(2025, 3, 2)], today, 12) == 0
    assert count_monitored_projects([date(2025, 3, 3)], today, 12) == 1


def test_gold_participation_is_a_project_through_both_monitoring_stages_ever(policy: ProgramPolicy) -> None:
    """R-STS-03: Gold needs "бути учасником програми «Моніторинга якості впроваджень»" (2.1).

    The participant's badge has no stated expiry (5.5) and the yearly confirmation checks
    "активними балами ... та сертифікатами фахівців" only (2.2), so by default a project
    through both stages counts however long ago; a trailing window is off in the policy.
    """
    assert policy.statuses.gold.monitoring_window_months is None
    gathered = gather_status_facts(
        active_points=500,
        attached_logins=set(),
        courses={},
        monitoring_completion_dates=[date(2021, 5, 4)],  # five years ago
        today=date(2026, 3, 2),
        policy=policy,
    )
    assert gathered.monitored_projects == 1
    assert count_monitored_projects([date(2026, 3, 3)], date(2026, 3, 2), None) == 0  # not in the future
    windowed = policy.model_copy(
        update={
            "statuses": policy.statuses.model_copy(
                update={"gold": policy.statuses.gold.model_copy(update={"monitoring_window_months": 12})}
            )
        }
    )
    item = next(
        i
        for i in status_checklist(Tier.CERTIFIED, GOLD_FACTS, policy).to_reach_next
        if i.rule == "R-STS-03" and i.condition is Condition.MONITORED_PROJECTS
    )
    assert "ever" in item.detail
    assert (
        gather_status_facts(
            active_points=500,
            attached_logins=set(),
            courses={},
            monitoring_completion_dates=[date(2021, 5, 4)],
            today=date(2026, 3, 2),
            policy=windowed,
        ).monitored_projects
        == 0
    )


def test_gold_courses_are_a_policy_list_not_every_course_ever_published(policy: ProgramPolicy) -> None:
    """R-STS-03, R-POL-01: "Спеціалісти «Золотих сертифікованих партнерів» зобов'язані навчатися
    за всіма поточними курсами, а також курсами, що вийдуть в майбутньому" (4.2) is a duty,
    not a gate: the Gold courses are the policy's list, so a course added to the catalogue
    does not become a Gold condition by itself.
    """  # noqa: RUF002
    assert policy.statuses.gold.required_courses != "all"
    added = policy.model_copy(
        update={"courses": (*policy.courses, policy.courses[0].model_copy(update={"code": "NEW_COURSE"}))}
    )
    assert "NEW_COURSE" not in added.required_courses(Tier.GOLD)
    assert added.required_courses(Tier.GOLD) == policy.required_courses(Tier.GOLD)


def test_business_partner_jumps_straight_to_gold(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-04: the highest met status is assigned at once, skipping Certified."""
    partner = make_partner()
    entries = evaluate_status(partner, GOLD_FACTS, T0, policy)
    assert [(e.from_tier, e.to_tier, e.reason) for e in entries] == [
        (Tier.BUSINESS, Tier.GOLD, StatusChangeReason.UPGRADE)
    ]
    event = partner.events[-1]
    assert isinstance(event, StatusChanged) and event.discount_percent == 50
    assert event.valid_until_date == date(2027, 3, 2)


def test_upgrade_is_automatic_with_the_new_discount(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-04, R-STS-06: Certified is assigned when met, at 45 %."""
    partner = make_partner()
    evaluate_status(partner, CERTIFIED_FACTS, T0, policy)
    assert partner.status.tier is Tier.CERTIFIED
    event = partner.events[-1]
    assert isinstance(event, StatusChanged) and event.discount_percent == 45
    assert evaluate_status(partner, CERTIFIED_FACTS, T0, policy) == []


def test_discount_by_status_is_40_45_50(policy: ProgramPolicy) -> None:
    """R-STS-06: Business 40 %, Certified 45 %, Gold 50 %."""
    assert [policy.discount_percent(t) for t in (Tier.BUSINESS, Tier.CERTIFIED, Tier.GOLD)] == [40, 45, 50]


def test_no_mid_year_downgrade_when_points_fall(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-05: falling below a threshold mid-year does not downgrade."""
    partner = make_partner()
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    mid_year = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert evaluate_status(partner, facts(), mid_year, policy) == []
    assert partner.status.tier is Tier.GOLD


def test_gold_lapses_at_anniversary_without_500_points(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-05: at the anniversary the partner falls to the highest status it still meets."""
    partner = make_partner()
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    anniversary = kyiv_datetime(date(2027, 3, 2), 0, 5)
    entries = evaluate_status(partner, facts(points=300, certified=3, gold_certified=3), anniversary, policy)
    assert [(e.from_tier, e.to_tier, e.reason) for e in entries] == [
        (Tier.GOLD, Tier.CERTIFIED, StatusChangeReason.ANNIVERSARY_LOSS)
    ]
    assert partner.status.granted_date == date(2027, 3, 2)
    assert partner.status.valid_until_date == date(2028, 3, 2)


def test_status_still_met_is_confirmed_for_another_year(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-05: confirmation keeps the grant date and moves the anniversary a year on."""
    partner = make_partner()
    evaluate_status(partner, CERTIFIED_FACTS, T0, policy)
    evaluate_status(partner, CERTIFIED_FACTS, kyiv_datetime(date(2027, 3, 2), 1), policy)
    assert partner.status.tier is Tier.CERTIFIED
    assert partner.status.granted_date == date(2026, 3, 2)
    assert partner.status.valid_until_date == date(2028, 3, 2)
    assert isinstance(partner.events[-1], StatusConfirmed)
    assert partner.history[-1].reason is StatusChangeReason.CONFIRMATION


def test_status_granted_on_leap_day_is_reviewed_on_28_february_and_returns_to_29(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-STS-05: anniversaries on Kyiv dates; 29 Feb -> 28 Feb in common years, 29 Feb again in leap years."""
    leap_grant = kyiv_datetime(date(2028, 2, 29), 12)
    partner = make_partner(now=leap_grant)
    evaluate_status(partner, CERTIFIED_FACTS, leap_grant, policy)
    assert partner.status.valid_until_date == date(2029, 2, 28)
    assert evaluate_status(partner, facts(), kyiv_datetime(date(2029, 2, 27), 23, 59), policy) == []
    for year in (2029, 2030, 2031):
        evaluate_status(partner, CERTIFIED_FACTS, kyiv_datetime(date(year, 2, 28), 1), policy)
    assert partner.status.valid_until_date == date(2032, 2, 29)


def test_status_lapsing_on_a_kyiv_dst_change_uses_the_kyiv_date(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-STS-05, R-POL-02: the anniversary starts at Kyiv midnight, whatever the UTC offset that night."""
    grant = kyiv_datetime(date(2025, 3, 29), 10)
    partner = make_partner(now=grant)
    evaluate_status(partner, CERTIFIED_FACTS, grant, policy)
    assert partner.status.valid_until_date == date(2026, 3, 29)  # clocks go forward in Kyiv that night
    # 21:30 UTC on 28 Mar is still 23:30 Kyiv (UTC+2): not yet the anniversary.
    assert evaluate_status(partner, facts(), datetime(2026, 3, 28, 21, 30, tzinfo=UTC), policy) == []
    # 22:30 UTC is 00:30 Kyiv on 29 Mar: the status lapses.
    entries = evaluate_status(partner, facts(), datetime(2026, 3, 28, 22, 30, tzinfo=UTC), policy)
    assert [e.to_tier for e in entries] == [Tier.BUSINESS]


def test_status_lapsing_on_the_autumn_dst_change(policy: ProgramPolicy) -> None:
    """R-STS-05, R-POL-02: on 25 Oct 2026 Kyiv falls back; midnight there is 21:00 UTC the day before."""
    record = StatusRecord.grant(Tier.CERTIFIED, kyiv_datetime(date(2025, 10, 25), 9), 12)
    assert record.valid_until_date == date(2026, 10, 25)
    assert not record.anniversary_reached(date(2026, 10, 24))
    assert record.anniversary_reached(date(2026, 10, 25))


def test_every_change_is_kept_in_history_with_policy_version(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-07: from, to, when, why and the policy version."""
    partner = make_partner()
    evaluate_status(partner, CERTIFIED_FACTS, T0, policy)
    first, upgrade = partner.history
    assert (first.from_tier, first.to_tier, first.reason) == (None, Tier.BUSINESS, StatusChangeReason.APPROVAL)
    assert (upgrade.from_tier, upgrade.to_tier, upgrade.changed_time) == (Tier.BUSINESS, Tier.CERTIFIED, T0)
    assert upgrade.policy_version == policy.version


def test_checklist_names_every_condition_with_figures(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-STS-04/05, R-CARD-04: what is missing for the next status and for keeping this one."""
    checklist = status_checklist(Tier.CERTIFIED, facts(points=120, certified=2, gold_certified=1), policy)
    assert checklist.next_tier is Tier.GOLD
    reach = {i.condition: (i.required, i.actual, i.met) for i in checklist.to_reach_next}
    assert reach == {
        Condition.ACTIVE_POINTS: (500, 120, False),
        Condition.CERTIFIED_EMPLOYEES: (3, 1, False),
        Condition.MONITORED_PROJECTS: (1, 0, False),
    }
    assert all(i.met for i in checklist.to_keep_current)
    partner = make_partner()
    view = status_view(partner, facts(points=120, certified=2), policy)
    assert (view.tier, view.granted_date, view.active_points, view.certified_specialists) == (
        Tier.BUSINESS,
        date(2026, 3, 2),
        120,
        2,
    )


def test_status_certificate_is_issued_for_the_current_status_only(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-STS-08: a certificate of the status held now; none after termination."""
    partner = make_partner()
    evaluate_status(partner, CERTIFIED_FACTS, T0, policy)
    certificate = status_certificate(partner, date(2026, 3, 3))
    assert (certificate.tier, certificate.granted_date) == (Tier.CERTIFIED, date(2026, 3, 2))
    terminate_partner(partner, TerminationForm.MUTUAL_AGREEMENT, date(2026, 3, 2), date(2026, 3, 2), "", T0, policy)
    with pytest.raises(FailedPrecondition):
        status_certificate(partner, date(2026, 3, 3))
