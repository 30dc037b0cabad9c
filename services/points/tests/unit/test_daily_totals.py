from datetime import UTC, date, datetime
from decimal import Decimal

from points_service.domain.daily_totals import business_date_of_run, totals_instant
from points_service.domain.ledger import SourceType, active_total, new_accrual
from ppcore.clock import KYIV


def test_daily_total_is_taken_at_23_00_kyiv_in_winter_and_summer(policy):
    """R-PTS-05: the run instant is 23:00 Kyiv, whatever the UTC offset that day."""
    assert totals_instant(date(2025, 1, 15), policy) == datetime(2025, 1, 15, 21, 0, tzinfo=UTC)
    assert totals_instant(date(2025, 7, 15), policy) == datetime(2025, 7, 15, 20, 0, tzinfo=UTC)
    assert totals_instant(date(2025, 3, 30), policy) == datetime(2025, 3, 30, 20, 0, tzinfo=UTC)  # DST starts


def test_on_demand_run_before_23_00_means_yesterday(policy):
    """R-PTS-05: a run asked for before 23:00 Kyiv computes the previous business date."""
    assert business_date_of_run(datetime(2025, 7, 15, 22, 59, tzinfo=KYIV), policy) == date(2025, 7, 14)
    assert business_date_of_run(datetime(2025, 7, 15, 23, 0, tzinfo=KYIV), policy) == date(2025, 7, 15)


def test_points_accrued_at_23_00_count_that_day_and_stop_a_year_later_at_the_same_run(policy):
    """R-PTS-04/R-PTS-05: an accrual at the run instant counts that day and has expired at the run a year later."""
    at = totals_instant(date(2025, 2, 10), policy)
    e = new_accrual(
        entry_id="e",
        partner_id="p",
        source_type=SourceType.ORDER,
        source_id="o",
        amount=Decimal(10),
        accrued_at=at,
        decided_by="system",
        policy_version="v",
    )
    assert active_total([e], totals_instant(date(2025, 2, 10), policy)) == Decimal("10.00")
    assert active_total([e], totals_instant(date(2026, 2, 9), policy)) == Decimal("10.00")
    assert active_total([e], totals_instant(date(2026, 2, 10), policy)) == Decimal("0.00")
