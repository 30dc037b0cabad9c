"""The status a partner holds now, its validity year and its history entries (R-STS-01/05/07)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from ppcore.clock import add_months, kyiv_date
from ppcore.policy import Tier
from status_service.domain.enums import StatusChangeReason


@dataclass(frozen=True)
class StatusRecord:
    """``valid_until_date`` is the anniversary: the Kyiv day the status is reviewed (R-STS-05).

    Business never expires. Validity years are counted from the original grant date, so a
    status granted on 29 February is reviewed on 28 February in common years and on
    29 February again in leap years.
    """

    tier: Tier
    granted_date: date
    granted_time: datetime
    valid_until_date: date | None
    confirmations: int = 0

    @classmethod
    def grant(cls, tier: Tier, now: datetime, validity_months: int, *, on: date | None = None) -> StatusRecord:
        granted_date = on or kyiv_date(now)
        valid_until = None if tier is Tier.BUSINESS else add_months(granted_date, validity_months)
        return cls(tier, granted_date, now, valid_until)

    def anniversary_reached(self, today: date) -> bool:
        return self.valid_until_date is not None and today >= self.valid_until_date

    def confirmed(self, validity_months: int) -> StatusRecord:
        """Another year from the anniversary (R-STS-05)."""
        confirmations = self.confirmations + 1
        return replace(
            self,
            confirmations=confirmations,
            valid_until_date=add_months(self.granted_date, validity_months * (confirmations + 1)),
        )


@dataclass(frozen=True)
class StatusHistoryEntry:
    """One line of the status history: from, to, when, why, under which policy (R-STS-07)."""

    partner_id: str
    from_tier: Tier | None
    to_tier: Tier
    changed_time: datetime
    reason: StatusChangeReason
    policy_version: str
    granted_date: date
    valid_until_date: date | None
    sanction_id: str = ""
    note: str = ""
