"""One injectable clock for every process (R-POL-02).

Production uses :class:`SystemClock`; tests use :class:`FixedClock` and move it. All
instants are timezone-aware UTC; program dates are taken in Kyiv time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def kyiv_date(instant: datetime) -> date:
    """The Kyiv calendar date of an instant."""
    return instant.astimezone(KYIV).date()


def kyiv_datetime(d: date, hour: int = 0, minute: int = 0) -> datetime:
    """The UTC instant of a Kyiv wall-clock time on a date (DST-aware)."""
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=KYIV).astimezone(UTC)


def job_instant(day: date, now: datetime) -> datetime:
    """The instant a daily job run for the Kyiv date ``day`` acts as of: ``now`` when
    ``day`` is today, the last instant of ``day`` when it is past (re-running or catching
    up a day). A day after today is a ``ValueError``."""
    today = kyiv_date(now)
    if day > today:
        raise ValueError(f"{day.isoformat()} is after today ({today.isoformat()})")
    if day == today:
        return now
    return kyiv_datetime(day + timedelta(days=1)) - timedelta(microseconds=1)


def add_months(d: date, months: int) -> date:
    """Calendar months later; the 29th-31st clamp to the month's last day (29 Feb -> 28 Feb)."""
    month_index = d.month - 1 + months
    year = d.year + month_index // 12
    month = month_index % 12 + 1
    day = d.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def add_years_kyiv(instant: datetime, years: int = 1) -> datetime:
    """The same Kyiv wall-clock time ``years`` later, returned in UTC.

    Yearly expiries are computed on the Kyiv calendar, so an accrual at 10:00 Kyiv in
    summer expires at 10:00 Kyiv a year later whatever the UTC offset then is. 29 Feb
    maps to 28 Feb in a non-leap year.
    """
    local = instant.astimezone(KYIV)
    target = add_months(local.date(), 12 * years)
    return datetime(
        target.year, target.month, target.day, local.hour, local.minute, local.second, local.microsecond, tzinfo=KYIV
    ).astimezone(UTC)
