"""The conditions of each status, evaluated against a partner's facts (R-STS-02/03/05).

Pure arithmetic over figures the service gathers: active points (from points' daily
total), certified employees (attached logins only, R-EMP-06) and monitored projects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ppcore.clock import add_months
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.certificates import certified_employee_count
from status_service.domain.enums import Condition

_TIERS_DESCENDING = (Tier.GOLD, Tier.CERTIFIED, Tier.BUSINESS)


@dataclass(frozen=True)
class StatusFacts:
    active_points: int
    certified_for_certified: int
    certified_for_gold: int
    monitored_projects: int


def count_monitored_projects(completion_dates: Iterable[date], today: date, window_months: int | None) -> int:
    """Projects through both monitoring stages (R-STS-03): ever by default.

    2.1 asks Gold to "бути учасником програми" of quality monitoring; 5.5 marks participants
    with a badge of no stated expiry and 2.2 confirms a status by points and certificates
    only. So a project completed once counts for good; a trailing window of
    ``window_months`` is a *policy* option, off by default.
    """
    if window_months is None:
        return sum(1 for d in completion_dates if d <= today)
    window_start = add_months(today, -window_months)
    return sum(1 for d in completion_dates if window_start < d <= today)


def gather_status_facts(
    *,
    active_points: int,
    attached_logins: Iterable[str],
    courses: Mapping[str, frozenset[str]],
    monitoring_completion_dates: Iterable[date],
    today: date,
    policy: ProgramPolicy,
) -> StatusFacts:
    logins = frozenset(attached_logins)
    return StatusFacts(
        active_points=active_points,
        certified_for_certified=certified_employee_count(logins, courses, policy.required_courses(Tier.CERTIFIED)),
        certified_for_gold=certified_employee_count(logins, courses, policy.required_courses(Tier.GOLD)),
        monitored_projects=count_monitored_projects(
            monitoring_completion_dates, today, policy.statuses.gold.monitoring_window_months
        ),
    )


@dataclass(frozen=True)
class ChecklistItem:
    """One condition with its figures: met when ``actual >= required``."""

    tier: Tier
    condition: Condition
    required: int
    actual: int
    rule: str
    detail: str

    @property
    def met(self) -> bool:
        return self.actual >= self.required


def _figures(tier: Tier, facts: StatusFacts, policy: ProgramPolicy, for_keeping: bool) -> tuple[tuple[int, int], ...]:
    """(required, actual) of each condition of ``tier``, in ``tier_conditions``' order."""
    if tier is Tier.BUSINESS:
        return ()  # R-STS-01: no certification needed.
    if tier is Tier.CERTIFIED:
        certified = policy.statuses.certified
        return (
            (certified.min_active_points, facts.active_points),
            (certified.min_certified_employees, facts.certified_for_certified),
        )
    gold = policy.statuses.gold
    figures = ((gold.min_active_points, facts.active_points), (gold.min_certified_employees, facts.certified_for_gold))
    return figures if for_keeping else (*figures, (gold.min_monitored_projects, facts.monitored_projects))


def tier_conditions(
    tier: Tier, facts: StatusFacts, policy: ProgramPolicy, *, for_keeping: bool = False
) -> tuple[ChecklistItem, ...]:
    """The conditions of ``tier``; ``for_keeping`` gives the yearly confirmation's subset.

    The document confirms a status "with active points and specialists' certificates"
    (2.2), so monitoring participation is a condition to obtain Gold, not to keep it.
    """
    if tier is Tier.BUSINESS:
        return ()
    rule = "R-STS-05" if for_keeping else ("R-STS-02" if tier is Tier.CERTIFIED else "R-STS-03")
    courses = ", ".join(sorted(policy.required_courses(tier)))
    window = policy.statuses.gold.monitoring_window_months
    labels = (
        (Condition.ACTIVE_POINTS, rule, "active points accrued in the last year"),
        (Condition.CERTIFIED_EMPLOYEES, rule, f"attached employees holding every course of: {courses}"),
        (
            Condition.MONITORED_PROJECTS,
            "R-STS-03",
            "projects through both quality-monitoring stages "
            + ("ever" if window is None else f"in the last {window} months"),
        ),
    )
    return tuple(
        ChecklistItem(tier, condition, required, actual, item_rule, detail)
        for (required, actual), (condition, item_rule, detail) in zip(
            _figures(tier, facts, policy, for_keeping), labels, strict=False
        )
    )


def meets(tier: Tier, facts: StatusFacts, policy: ProgramPolicy, *, for_keeping: bool = False) -> bool:
    # The figures only: the review and the policy simulation ask this for every partner and tier.
    return all(actual >= required for required, actual in _figures(tier, facts, policy, for_keeping))


def highest_tier_met(facts: StatusFacts, policy: ProgramPolicy, *, for_keeping: bool = False) -> Tier:
    """The highest status whose conditions hold, possibly skipping one (Business -> Gold)."""
    return next(t for t in _TIERS_DESCENDING if meets(t, facts, policy, for_keeping=for_keeping))


def next_tier(tier: Tier) -> Tier | None:
    return {Tier.BUSINESS: Tier.CERTIFIED, Tier.CERTIFIED: Tier.GOLD, Tier.GOLD: None}[tier]


@dataclass(frozen=True)
class StatusChecklist:
    """Every condition for the next status and for keeping the current one (R-STS-04/05)."""

    current_tier: Tier
    next_tier: Tier | None
    to_reach_next: tuple[ChecklistItem, ...]
    to_keep_current: tuple[ChecklistItem, ...]
    policy_version: str


def status_checklist(current: Tier, facts: StatusFacts, policy: ProgramPolicy) -> StatusChecklist:
    upcoming = next_tier(current)
    return StatusChecklist(
        current_tier=current,
        next_tier=upcoming,
        to_reach_next=tier_conditions(upcoming, facts, policy) if upcoming else (),
        to_keep_current=tier_conditions(current, facts, policy, for_keeping=True),
        policy_version=policy.version,
    )
