"""Policy versions scheduled ahead (R-POL-01): until its effective date the current one applies.

The policy file is the base; each registered version takes over from its effective date
(Kyiv, program time) until a later one does. Decisions record the version they used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ppcore.errors import AlreadyExists, InvalidArgument
from ppcore.policy import ProgramPolicy, policy_on


@dataclass(frozen=True)
class ScheduledPolicy:
    policy: ProgramPolicy
    effective_date: date
    registered_time: datetime
    registered_by: str
    document: str = ""  # the full text, as registered

    @property
    def version(self) -> str:
        return self.policy.version


def policy_in_force(base: ProgramPolicy, scheduled: Iterable[ScheduledPolicy], on: date) -> ProgramPolicy:
    """The latest version effective on or before ``on``; the base (policy file) before any."""
    return policy_on(base, ((s.effective_date, s.policy) for s in scheduled), on)


def switches_on(scheduled: Iterable[ScheduledPolicy], on: date) -> bool:
    """True when a version takes effect on ``on``: that day's review re-decides every partner."""
    return any(s.effective_date == on for s in scheduled)


def schedule_policy(
    base: ProgramPolicy,
    scheduled: Iterable[ScheduledPolicy],
    candidate: ProgramPolicy,
    effective_date: date,
    today: date,
    now: datetime,
    staff_login: str,
) -> ScheduledPolicy:
    """Register ``candidate`` from ``effective_date``, which must be after today (program time)."""
    if effective_date <= today:
        raise InvalidArgument.for_field(
            "effective_date",
            f"{effective_date.isoformat()} is not after today ({today.isoformat()}, program time): a version "
            "is registered ahead of the day it takes effect (R-POL-01)",
            reason="EFFECTIVE_DATE_NOT_IN_FUTURE",
            rule="R-POL-01",
        )
    existing = list(scheduled)
    taken = {base.version} | {s.version for s in existing}
    if candidate.version in taken:
        raise AlreadyExists(
            reason="POLICY_VERSION_EXISTS",
            message=f"policy_document.version: {candidate.version} is already registered; give the new one its own "
            "version (R-POL-01)",
            rule="R-POL-01",
        )
    if any(s.effective_date == effective_date for s in existing):
        raise AlreadyExists(
            reason="POLICY_DATE_TAKEN",
            message=f"effective_date: a version already takes effect on {effective_date.isoformat()} (R-POL-01)",
            rule="R-POL-01",
        )
    return ScheduledPolicy(candidate, effective_date, now, staff_login)
