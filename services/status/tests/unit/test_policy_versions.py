"""Scheduled policy versions (R-POL-01): until its effective date the current one applies."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from ppcore.errors import AlreadyExists, InvalidArgument
from ppcore.policy import ProgramPolicy, parse_policy
from status_service.domain.policy_versions import policy_in_force, schedule_policy, switches_on

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def version(policy: ProgramPolicy, name: str) -> ProgramPolicy:
    raw = policy.model_dump(mode="json")
    raw["version"] = name
    return parse_policy(yaml.safe_dump(raw, allow_unicode=True))


def test_the_policy_file_applies_until_a_version_s_date_and_the_latest_effective_one_after(
    policy: ProgramPolicy,
) -> None:
    """R-POL-01: a version registered ahead applies from its effective date; until then the current one."""
    april = schedule_policy(policy, [], version(policy, "april"), date(2026, 4, 1), TODAY, NOW, "anna")
    june = schedule_policy(policy, [april], version(policy, "june"), date(2026, 6, 1), TODAY, NOW, "anna")
    scheduled = [june, april]
    assert policy_in_force(policy, scheduled, date(2026, 3, 31)) is policy
    assert policy_in_force(policy, scheduled, date(2026, 4, 1)).version == "april"
    assert policy_in_force(policy, scheduled, date(2026, 5, 31)).version == "april"
    assert policy_in_force(policy, scheduled, date(2027, 1, 1)).version == "june"
    assert switches_on(scheduled, date(2026, 6, 1)) and not switches_on(scheduled, date(2026, 6, 2))


def test_a_version_must_be_new_and_dated_after_today(policy: ProgramPolicy) -> None:
    """R-POL-01: registered ahead of its day, under a version of its own, one per date."""
    with pytest.raises(InvalidArgument) as today:
        schedule_policy(policy, [], version(policy, "v2"), TODAY, TODAY, NOW, "anna")
    assert today.value.reason == "EFFECTIVE_DATE_NOT_IN_FUTURE"
    with pytest.raises(AlreadyExists) as same_version:
        schedule_policy(policy, [], policy, date(2026, 4, 1), TODAY, NOW, "anna")
    assert same_version.value.reason == "POLICY_VERSION_EXISTS"
    april = schedule_policy(policy, [], version(policy, "v2"), date(2026, 4, 1), TODAY, NOW, "anna")
    with pytest.raises(AlreadyExists) as same_day:
        schedule_policy(policy, [april], version(policy, "v3"), date(2026, 4, 1), TODAY, NOW, "anna")
    assert same_day.value.reason == "POLICY_DATE_TAKEN"
