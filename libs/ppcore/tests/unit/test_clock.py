"""Program time is Kyiv time (R-POL-02): yearly expiries on the Kyiv calendar."""

from datetime import UTC, date, datetime, timedelta

from ppcore.clock import KYIV, FixedClock, add_months, add_years_kyiv, kyiv_date, kyiv_datetime


def test_add_months_clamps_leap_day():
    """R-POL-02: 29 Feb plus a year is 28 Feb."""
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_year_later_keeps_kyiv_wall_clock_across_dst():
    """R-POL-02: an accrual in winter expires at the same Kyiv hour in winter, whatever DST did."""
    accrued = datetime(2026, 3, 29, 0, 30, tzinfo=KYIV)  # the night DST starts in Kyiv
    expires = add_years_kyiv(accrued.astimezone(UTC))
    assert expires.astimezone(KYIV).replace(tzinfo=None) == datetime(2027, 3, 29, 0, 30)


def test_kyiv_date_of_late_evening_utc():
    """R-POL-02: 22:30 UTC on 1 July is already 2 July in Kyiv."""
    assert kyiv_date(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == date(2026, 7, 2)
    assert kyiv_datetime(date(2026, 7, 2), 23).astimezone(UTC).hour == 20


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.advance(timedelta(days=1))
    assert clock.now() == datetime(2026, 1, 2, tzinfo=UTC)
