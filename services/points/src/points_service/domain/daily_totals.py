"""Daily active totals (R-PTS-05): at 23:00 Kyiv every partner's active total is taken as of
that instant and stored per business date. Status decisions use the stored figure.

The adapters compute the totals for all partners in one set-based query with the same
window as :func:`points_service.domain.ledger.active_total`; this module fixes the
instant and decides what changed, so a second run for the same date changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from points_service.domain.amounts import ZERO, to_points
from points_service.domain.events import ActiveTotalChanged
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


@dataclass(frozen=True)
class DailyTotalsOutcome:
    """Totals to store for the date (every partner with a total or a previous one) and the change events."""

    business_date: date
    computed_at: datetime
    totals: Mapping[str, Decimal]
    changed: tuple[ActiveTotalChanged, ...]


def settle_daily_totals(
    business_date: date,
    *,
    computed: Mapping[str, Decimal],
    previous: Mapping[str, Decimal],
    policy: ProgramPolicy,
) -> DailyTotalsOutcome:
    """R-PTS-05: compare this run's totals with each partner's previous stored total.

    ``computed``: the set-based totals as of :func:`totals_instant` (partners with no active
    entries may be absent). ``previous``: each partner's stored total for the latest date
    before ``business_date``, or for ``business_date`` itself on a re-run, so a re-run
    with an unchanged ledger yields no events. A partner whose points all expired drops to 0.
    """
    at = totals_instant(business_date, policy)
    partners = set(computed) | {p for p, v in previous.items() if v != 0}
    totals = {p: to_points(computed.get(p, ZERO)) for p in sorted(partners)}
    changed = tuple(
        ActiveTotalChanged(
            partner_id=partner,
            business_date=business_date,
            total=total,
            previous_total=to_points(previous.get(partner, ZERO)),
            computed_at=at,
            policy_version=policy.version,
        )
        for partner, total in totals.items()
        if total != to_points(previous.get(partner, ZERO))
    )
    return DailyTotalsOutcome(business_date=business_date, computed_at=at, totals=totals, changed=changed)
