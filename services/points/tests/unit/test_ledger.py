from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from points_service.domain.ledger import (
    LedgerEntry,
    PointKind,
    SourceType,
    active_total,
    expiring_within,
    expiry_of,
    lifetime_earned,
    new_accrual,
    parse_source_type,
    reverse,
)
from ppcore.clock import KYIV
from ppcore.errors import FailedPrecondition, InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


def entry(amount: int | str, accrued_at: datetime, *, entry_id: str = "e1", source=SourceType.PROJECT) -> LedgerEntry:
    return new_accrual(
        entry_id=entry_id,
        partner_id="p1",
        source_type=source,
        source_id="src",
        amount=Decimal(amount),
        accrued_at=accrued_at,
        decided_by="staff",
        policy_version="v1",
    )


def test_certifying_specialists_is_no_point_source():
    """R-PTS-01: no points for certifying specialists; there is no such source and naming it is refused."""
    assert "CERTIFICATION" not in SourceType.__members__
    with pytest.raises(InvalidArgument) as exc:
        parse_source_type("certification")
    assert exc.value.rule == "R-PTS-01"
    assert exc.value.reason == "POINTS_NOT_FOR_CERTIFICATION"


def test_requests_give_additional_points_and_every_other_source_main():
    """R-PTS-01/R-PTS-02: points are main or additional; only requests are additional."""
    assert SourceType.POINT_REQUEST.kind is PointKind.ADDITIONAL
    assert {s.kind for s in SourceType if s is not SourceType.POINT_REQUEST} == {PointKind.MAIN}
    assert parse_source_type("order") is SourceType.ORDER


def test_accrual_expires_one_year_later_at_the_same_kyiv_time():
    """R-PTS-04: active for one year from the accrual instant, on the Kyiv calendar."""
    e = entry(10, kyiv(2025, 5, 10, 14, 30))
    assert e.expires_at == kyiv(2026, 5, 10, 14, 30)
    assert e.is_active_at(kyiv(2026, 5, 10, 14, 29))
    assert not e.is_active_at(kyiv(2026, 5, 10, 14, 30))


def test_accrual_on_29_february_expires_on_28_february():
    """R-PTS-04: an accrual on 29 Feb expires on 28 Feb of the next (non-leap) year."""
    e = entry(10, kyiv(2028, 2, 29, 10))
    assert e.expires_at == kyiv(2029, 2, 28, 10)
    assert active_total([e], kyiv(2029, 2, 27, 23)) == Decimal("10.00")
    assert active_total([e], kyiv(2029, 2, 28, 23)) == Decimal("0.00")


def test_expiry_keeps_kyiv_wall_time_across_dst_change():
    """R-PTS-04: accrued in winter (UTC+2) at 23:00, it expires at 23:00 Kyiv in summer time (UTC+3)."""
    accrued = kyiv(2025, 3, 29, 23)  # before the 2025 switch; the 2026 switch is on 29 March 03:00
    e = entry(10, accrued)
    assert e.expires_at == datetime(2026, 3, 29, 20, 0, tzinfo=UTC)
    # A naive 365 days in UTC would still count it at the 23:00 run of 29 March 2026.
    assert accrued.astimezone(UTC) + timedelta(days=365) > e.expires_at
    assert active_total([e], kyiv(2026, 3, 29, 23)) == Decimal("0.00")
    assert active_total([e], kyiv(2026, 3, 29, 22, 59)) == Decimal("10.00")


def test_active_total_counts_accrual_instant_and_excludes_expiry_instant():
    """R-PTS-05: the total at t sums entries with accrued_at <= t < expires_at."""
    first = entry(10, kyiv(2025, 1, 10, 23), entry_id="a")
    second = entry(5, kyiv(2025, 6, 1, 9), entry_id="b")
    assert active_total([first, second], kyiv(2025, 1, 10, 23)) == Decimal("10.00")
    assert active_total([first, second], kyiv(2025, 6, 1, 9)) == Decimal("15.00")
    assert active_total([first, second], kyiv(2026, 1, 10, 23)) == Decimal("5.00")
    assert active_total([first, second], kyiv(2025, 1, 10, 22, 59)) == Decimal("0.00")


def test_reversal_keeps_the_past_and_cancels_from_then_on():
    """R-PTS-06: a correction is a new negative entry; an as-of query before it still shows the points."""
    original = entry(20, kyiv(2025, 2, 1))
    undo = reverse(
        original, entry_id="r1", at=kyiv(2025, 3, 1), decided_by="staff", reason="order cancelled", policy_version="v1"
    )
    assert undo.amount == Decimal("-20.00")
    assert undo.reverses_entry_id == "e1"
    assert undo.expires_at == original.expires_at
    ledger = [original, undo]
    assert active_total(ledger, kyiv(2025, 2, 15)) == Decimal("20.00")
    assert active_total(ledger, kyiv(2025, 3, 2)) == Decimal("0.00")
    assert lifetime_earned(ledger) == Decimal("0.00")


def test_reversal_after_expiry_changes_no_active_total():
    """R-PTS-04/R-PTS-06: reversing an expired entry leaves every active total as it was."""
    original = entry(20, kyiv(2024, 2, 1))
    undo = reverse(original, entry_id="r1", at=kyiv(2025, 6, 1), decided_by="s", reason="late", policy_version="v1")
    assert active_total([original, undo], kyiv(2025, 6, 2)) == Decimal("0.00")
    assert active_total([original, undo], kyiv(2024, 6, 2)) == Decimal("20.00")


def test_reversal_is_refused_twice_and_of_a_reversal_and_without_reason():
    """R-PTS-06: an entry is reversed once, a reversal is never reversed, and a reason is required."""
    original = entry(20, kyiv(2025, 2, 1))
    undo = reverse(original, entry_id="r1", at=kyiv(2025, 3, 1), decided_by="s", reason="x", policy_version="v1")
    with pytest.raises(FailedPrecondition):
        reverse(undo, entry_id="r2", at=kyiv(2025, 3, 2), decided_by="s", reason="x", policy_version="v1")
    with pytest.raises(FailedPrecondition):
        reverse(
            original,
            entry_id="r3",
            at=kyiv(2025, 3, 2),
            decided_by="s",
            reason="x",
            policy_version="v1",
            already_reversed=True,
        )
    with pytest.raises(InvalidArgument):
        reverse(original, entry_id="r4", at=kyiv(2025, 3, 2), decided_by="s", reason=" ", policy_version="v1")


def test_every_entry_names_who_decided_and_accruals_are_never_negative():
    """R-PTS-06: entries name the decider; a negative amount is only ever a reversal."""
    with pytest.raises(InvalidArgument):
        new_accrual(
            entry_id="x",
            partner_id="p",
            source_type=SourceType.ORDER,
            source_id="o",
            amount=Decimal(5),
            accrued_at=kyiv(2025, 1, 1),
            decided_by="",
            policy_version="v1",
        )
    with pytest.raises(InvalidArgument):
        entry(-5, kyiv(2025, 1, 1))


def test_points_expiring_within_n_days_are_grouped_by_kyiv_date():
    """R-PTS-04: the active points whose year ends within the window, net of reversals."""
    a = entry(10, kyiv(2024, 7, 10, 9), entry_id="a")
    b = entry(4, kyiv(2024, 7, 20, 9), entry_id="b")
    c = entry(7, kyiv(2024, 9, 1, 9), entry_id="c")
    old = entry(99, kyiv(2024, 6, 1, 9), entry_id="old")
    soon = expiring_within([a, b, c, old], kyiv(2025, 7, 1, 12), 30)
    assert soon.total == Decimal("14.00")
    assert [d.isoformat() for d, _ in soon.by_date] == ["2025-07-10", "2025-07-20"]


def test_expiry_of_accepts_whole_and_partial_years():
    """R-PTS-04: validity comes from policy in months; whole years use the Kyiv calendar year."""
    assert expiry_of(kyiv(2025, 1, 31, 10), 12) == kyiv(2026, 1, 31, 10)
    assert expiry_of(kyiv(2025, 1, 31, 10), 1) == kyiv(2025, 2, 28, 10)
