"""Daily active totals (R-PTS-05): at 23:00 Kyiv every partner's active total is taken as of
that instant and stored per business date. Status decisions use the stored figure.

The adapters compute the totals for all partners in one set-based query with the same
window as :func:`points_service.domain.ledger.active_total` and keep only the changes;
this module fixes the instant and which business date a run means.
"""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import kyiv_date, kyiv_datetime
from ppcore.policy import ProgramPolicy


def totals_instant(business_date: date, policy: ProgramPolicy) -> datetime:
    """R-PTS-05: the UTC instant of the daily run for a Kyiv business date (23:00 Kyiv by *policy*, DST-aware)."""
    hour, minute = policy.points.daily_total_hour_minute
    return kyiv_datetime(business_date, hour, minute)


def business_date_of_run(now: datetime, policy: ProgramPolicy) -> date:
    """The latest business date whose run instant is not in the future (which date an on-demand run means)."""
    today = kyiv_date(now)
    if now >= totals_instant(today, policy):
        return today
    return date.fromordinal(today.toordinal() - 1)
