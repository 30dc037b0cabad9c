"""The program policy file (R-POL-01) and the business calendar (R-POL-02)."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from ppcore.policy import DEFAULT_POLICY_PATH, PolicyError, Tier, load_policy
from ppcore.testing.policy import holidays_off


def test_shipped_policy_is_valid_and_versioned():
    """R-POL-01: one versioned policy file holds the policy values."""
    policy = load_policy()
    assert policy.version
    assert policy.discount_percent(Tier.BUSINESS) == 40
    assert policy.discount_percent(Tier.CERTIFIED) == 45
    assert policy.discount_percent(Tier.GOLD) == 50
    assert policy.statuses.certified.min_active_points == 100
    assert policy.statuses.gold.min_active_points == 500
    assert policy.required_courses(Tier.GOLD) == frozenset(policy.course_codes())


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text())
    mutate(raw)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_invalid_policy_refuses_naming_the_field(tmp_path):
    """R-POL-01: an invalid policy refuses to start, naming the field."""
    path = _write(tmp_path, lambda raw: raw["statuses"]["gold"].update(min_active_points=-5))
    with pytest.raises(PolicyError, match=r"statuses\.gold\.min_active_points"):
        load_policy(path)


def test_policy_with_unknown_course_reference_is_refused(tmp_path):
    """R-POL-01: references between policy sections must resolve."""
    path = _write(tmp_path, lambda raw: raw["statuses"]["certified"].update(required_courses=["NOPE"]))
    with pytest.raises(PolicyError, match="required_courses"):
        load_policy(path)


def test_policy_with_unknown_key_is_refused(tmp_path):
    """R-POL-01: a misspelt key is an error, not a silently ignored value."""
    path = _write(tmp_path, lambda raw: raw["points"].update(validty_months=12))
    with pytest.raises(PolicyError, match=r"points\.validty_months"):
        load_policy(path)


def test_business_days_skip_weekends_and_policy_holidays():
    """R-POL-02: business days exclude weekends and the policy's holidays (martial law off)."""
    calendar = holidays_off(load_policy()).business_calendar()
    # Wed 24 Dec 2025 + 3 business days: Thu 25 (holiday) skipped -> Fri 26, Mon 29, Tue 30.
    assert calendar.add_business_days(date(2025, 12, 24), 3) == date(2025, 12, 30)
    assert not calendar.is_business_day(date(2026, 1, 1))
    assert calendar.is_business_day(date(2026, 1, 2))
    assert calendar.business_days_between(date(2025, 12, 24), date(2025, 12, 30)) == 3


def test_public_holidays_are_working_days_while_martial_law_is_in_force():
    """R-POL-02: "Business days" exclude weekends and public holidays, but under martial law
    (in force since 24 February 2022) Ukrainian public holidays are working days: a policy
    switch with its dates, on by default. Weekends stay days off.
    """
    policy = load_policy()
    martial_law = policy.calendar.martial_law
    assert (martial_law.holidays_are_working_days, martial_law.start_date) == (True, date(2022, 2, 24))
    calendar = policy.business_calendar()
    assert date(2026, 1, 1) in policy.calendar.holidays
    assert calendar.is_business_day(date(2026, 1, 1))  # a Thursday holiday, worked under martial law
    assert not calendar.is_business_day(date(2026, 1, 3))  # Saturday
    assert calendar.add_business_days(date(2025, 12, 24), 3) == date(2025, 12, 29)
    # Before martial law and after the end date the office sets, holidays are days off again.
    ended = martial_law.model_copy(update={"end_date": date(2026, 6, 1)})
    after_end = policy.model_copy(
        update={"calendar": policy.calendar.model_copy(update={"martial_law": ended})}
    ).business_calendar()
    assert after_end.is_business_day(date(2026, 5, 1))
    assert not after_end.is_business_day(date(2026, 8, 24))  # Monday, Independence Day


def test_martial_law_end_before_start_is_refused(tmp_path):
    """R-POL-01/02: the martial-law period must be a period."""
    path = _write(tmp_path, lambda raw: raw["calendar"]["martial_law"].update(end_date="2022-01-01"))
    with pytest.raises(PolicyError, match=r"calendar\.martial_law"):
        load_policy(path)
