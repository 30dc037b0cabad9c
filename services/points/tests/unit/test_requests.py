from datetime import date, datetime
from decimal import Decimal

import pytest

from points_service.domain.events import PointRequestDecided
from points_service.domain.ledger import PointKind
from points_service.domain.requests import (
    Evidence,
    PointRequestState,
    overdue_point_requests,
    submit_point_request,
)
from points_service.domain.sanctions import RefusePointsSanction
from ppcore.clock import KYIV
from ppcore.errors import FailedPrecondition, InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


def request(policy, *, category="MARKETING_ACTIVITY", points=20, now=None):
    return submit_point_request(
        request_id="r1",
        partner_id="p1",
        category=category,
        requested_points=points,
        evidence=Evidence("Webinar for 200 clients", ("https://example.com/webinar",)),
        policy=policy,
        now=now or kyiv(2025, 9, 1),
    )


def test_additional_points_are_requested_in_a_policy_category(policy):
    """R-PTS-03: additional points come only through a request in a policy category."""
    with pytest.raises(InvalidArgument) as exc:
        request(policy, category="CERTIFICATION")
    assert exc.value.rule == "R-PTS-03"
    assert request(policy).state is PointRequestState.PENDING


def test_full_grant_accrues_additional_points(policy):
    """R-PTS-03: a granted request accrues additional points."""
    r = request(policy)
    entry = r.decide(20, reason="", entry_id="e1", at=kyiv(2025, 9, 5), decided_by="staff", policy=policy)
    assert entry is not None
    assert entry.kind is PointKind.ADDITIONAL
    assert entry.amount == Decimal("20.00")
    assert r.state is PointRequestState.GRANTED


def test_partial_grant_needs_a_reason(policy):
    """R-PTS-03: staff may grant fewer points than asked, with a reason."""
    r = request(policy)
    with pytest.raises(InvalidArgument) as exc:
        r.decide(5, reason="", entry_id="e1", at=kyiv(2025, 9, 5), decided_by="staff", policy=policy)
    assert exc.value.reason == "POINT_REQUEST_REASON_MISSING"
    entry = r.decide(5, reason="only one webinar", entry_id="e1", at=kyiv(2025, 9, 5), decided_by="s", policy=policy)
    assert entry is not None
    assert entry.amount == Decimal("5.00")
    assert r.state is PointRequestState.PARTIALLY_GRANTED


def test_denial_accrues_nothing_and_more_than_asked_is_refused(policy):
    """R-PTS-03: a grant is between none and what was asked."""
    r = request(policy)
    with pytest.raises(InvalidArgument):
        r.decide(21, reason="generous", entry_id="e1", at=kyiv(2025, 9, 5), decided_by="s", policy=policy)
    assert r.decide(0, reason="no evidence", entry_id="e1", at=kyiv(2025, 9, 5), decided_by="s", policy=policy) is None
    assert r.state is PointRequestState.DENIED
    with pytest.raises(FailedPrecondition):
        r.decide(0, reason="again", entry_id="e2", at=kyiv(2025, 9, 6), decided_by="s", policy=policy)


def test_request_is_overdue_after_ten_business_days(policy):
    """R-PTS-03: requests are decided within 10 business days (policy); later ones are listed as overdue."""
    r = request(policy, now=kyiv(2025, 8, 20))  # Wednesday; 24 August 2025 is a holiday (a Sunday)
    assert r.due_date == date(2025, 9, 3)
    assert overdue_point_requests([r], date(2025, 9, 3)) == []
    assert overdue_point_requests([r], date(2025, 9, 4)) == [r]


def test_request_decided_under_sanction_accrues_zero_with_reason(policy):
    """R-PTS-07: the request is still decided under a refuse-points sanction, with zero points and the reason."""
    sanction = RefusePointsSanction(sanction_id="s1", partner_id="p1", starts_at=kyiv(2025, 1, 1), reason="spam")
    r = request(policy)
    entry = r.decide(
        20, reason="", entry_id="e1", at=kyiv(2025, 9, 5), decided_by="s", policy=policy, sanctions=[sanction]
    )
    assert entry is not None
    assert entry.amount == Decimal("0.00")
    assert r.state is PointRequestState.GRANTED
    assert r.granted_points == Decimal("20.00")
    decided = r.events[-1]
    assert isinstance(decided, PointRequestDecided)
    assert decided.accrued_points == Decimal("0.00")
    assert "R-PTS-07" in decided.reason


def event_request(policy, *, notice_at=None, now=None):
    return submit_point_request(
        request_id="r-event",
        partner_id="p1",
        category="EVENT_PARTICIPATION",
        requested_points=15,
        evidence=Evidence("Stand at the Kyiv partner conference", ()),
        policy=policy,
        now=now or kyiv(2025, 9, 10),
        event_notice_at=notice_at,
    )


def test_event_point_request_records_whether_and_when_notice_of_intent_was_given(policy):
    """R-PTS-03: "Як правило, для нарахування Балів потрібне попереднє повідомлення про намір Партнера
    брати участь в заходах" -- the request records whether and when the partner gave that notice."""
    noticed = event_request(policy, notice_at=kyiv(2025, 8, 20))
    assert noticed.event_notice_at == kyiv(2025, 8, 20)
    assert event_request(policy).event_notice_at is None


def test_staff_may_grant_event_points_without_a_notice_and_the_entry_says_so(policy):
    """R-PTS-03: "Як правило" -- a notice is the rule, not a condition: staff may grant without it,
    and the accrual records that it was granted without a prior notice."""
    unnoticed = event_request(policy)
    entry = unnoticed.decide(15, reason="", entry_id="e1", at=kyiv(2025, 9, 12), decided_by="staff", policy=policy)
    assert entry is not None and entry.amount == Decimal("15.00")
    assert "without a prior notice of intent" in entry.note
    noticed = event_request(policy, notice_at=kyiv(2025, 8, 20))
    entry = noticed.decide(15, reason="", entry_id="e2", at=kyiv(2025, 9, 12), decided_by="staff", policy=policy)
    assert entry is not None and "without a prior notice" not in entry.note


@pytest.mark.parametrize(
    ("category", "notice_at", "reason"),
    [
        ("MARKETING_ACTIVITY", kyiv(2025, 8, 20), "POINT_REQUEST_NOTICE_NOT_EVENT"),
        ("EVENT_PARTICIPATION", kyiv(2025, 9, 11), "POINT_REQUEST_NOTICE_IN_FUTURE"),
    ],
)
def test_a_notice_of_intent_belongs_to_event_requests_and_precedes_the_request(policy, category, notice_at, reason):
    """R-PTS-03: the notice of intent is recorded on event requests only, and cannot postdate the request."""
    with pytest.raises(InvalidArgument) as exc:
        submit_point_request(
            request_id="r",
            partner_id="p1",
            category=category,
            requested_points=5,
            evidence=Evidence("x", ()),
            policy=policy,
            now=kyiv(2025, 9, 10),
            event_notice_at=notice_at,
        )
    assert exc.value.reason == reason and exc.value.rule == "R-PTS-03"
