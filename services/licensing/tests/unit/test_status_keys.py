from __future__ import annotations

from datetime import date, datetime

from licensing_service.domain import (
    GrantState,
    HistoryAction,
    NfrKeyIssued,
    NfrKeyRenewed,
    NfrKeyRevoked,
    PartnerNfr,
    RenewalSubject,
)
from ppcore.clock import kyiv_datetime
from ppcore.policy import Tier

GRANTED = date(2026, 3, 10)


def at(d: date, hour: int = 10) -> datetime:
    """An instant on the Kyiv date ``d``."""
    return kyiv_datetime(d, hour)


def _apply(portfolio, tier, on, policy, new_id, random_bytes, reason="status event"):
    portfolio.apply_status(
        tier=tier, effective_on=on, now=at(on), policy=policy, new_id=new_id, random_bytes=random_bytes, reason=reason
    )


def _active(portfolio):
    return sorted(g.entitlement for g in portfolio.active_grants())


def test_certified_partner_gets_two_business_edition_keys_valid_a_year(policy, new_id, random_bytes):
    """R-NFR-01, R-NFR-03: Certified brings 2 Business keys, valid one year."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, GRANTED, policy, new_id, random_bytes)
    assert _active(portfolio) == ["CERTIFIED_1", "CERTIFIED_2"]
    assert {g.edition for g in portfolio.grants} == {"SM_BUSINESS"}
    assert {g.valid_until for g in portfolio.grants} == {date(2027, 3, 10)}
    events = portfolio.collect_events()
    assert [type(e) for e in events] == [NfrKeyIssued, NfrKeyIssued]
    assert all(e.policy_version == policy.version for e in events)


def test_business_partner_gets_no_status_keys(policy, new_id, random_bytes):
    """R-NFR-01: only Certified and Gold bring status keys."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.BUSINESS, GRANTED, policy, new_id, random_bytes)
    assert portfolio.grants == []


def test_straight_jump_from_business_to_gold_gets_four_keys(policy, new_id, random_bytes):
    """R-NFR-01: a partner that moves straight to Gold receives 4 keys."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.GOLD, GRANTED, policy, new_id, random_bytes)
    assert _active(portfolio) == ["CERTIFIED_1", "CERTIFIED_2", "GOLD_1", "GOLD_2"]


def test_certified_then_gold_adds_two_keys_not_four(policy, new_id, random_bytes):
    """R-NFR-01: keys already held are not issued twice; Gold adds 2 more (4 in all)."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, GRANTED, policy, new_id, random_bytes)
    first_keys = {g.key for g in portfolio.grants}
    _apply(portfolio, Tier.GOLD, date(2026, 8, 1), policy, new_id, random_bytes)
    assert len(portfolio.grants) == 4
    assert first_keys <= {g.key for g in portfolio.grants}


def test_replayed_status_event_issues_nothing_twice(policy, new_id, random_bytes):
    """R-NFR-01: never twice for the same entitlement, even when the event comes again."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.GOLD, GRANTED, policy, new_id, random_bytes)
    portfolio.collect_events()
    _apply(portfolio, Tier.GOLD, GRANTED, policy, new_id, random_bytes)
    _apply(portfolio, Tier.CERTIFIED, date(2025, 1, 1), policy, new_id, random_bytes)  # older event: a replay
    assert len(portfolio.grants) == 4


def test_confirmed_status_renews_its_keys_for_another_year(policy, new_id, random_bytes):
    """R-NFR-03: a confirmed status renews its keys automatically, same keys."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, GRANTED, policy, new_id, random_bytes)
    keys = {g.key for g in portfolio.grants}
    portfolio.collect_events()
    _apply(portfolio, Tier.CERTIFIED, date(2027, 3, 10), policy, new_id, random_bytes, reason="confirmed")
    assert {g.key for g in portfolio.grants} == keys
    assert {g.valid_until for g in portfolio.grants} == {date(2028, 3, 10)}
    events = portfolio.collect_events()
    assert [type(e) for e in events] == [NfrKeyRenewed, NfrKeyRenewed]
    assert all(g.history[-1].action is HistoryAction.RENEWED for g in portfolio.grants)


def test_gold_to_certified_at_anniversary_revokes_two_keeps_two(policy, new_id, random_bytes):
    """R-NFR-03: falling from Gold to Certified revokes Gold's 2 keys and keeps (renews) Certified's 2."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.GOLD, GRANTED, policy, new_id, random_bytes)
    portfolio.collect_events()
    _apply(portfolio, Tier.CERTIFIED, date(2027, 3, 10), policy, new_id, random_bytes, reason="not confirmed")
    assert _active(portfolio) == ["CERTIFIED_1", "CERTIFIED_2"]
    revoked = [g for g in portfolio.grants if g.state is GrantState.REVOKED]
    assert sorted(g.entitlement for g in revoked) == ["GOLD_1", "GOLD_2"]
    assert all(g.history[-1].rule == "R-NFR-03" for g in revoked)
    events = portfolio.collect_events()
    assert sum(isinstance(e, NfrKeyRevoked) for e in events) == 2
    assert sum(isinstance(e, NfrKeyRenewed) for e in events) == 2


def test_lost_status_revokes_every_status_key(policy, new_id, random_bytes):
    """R-NFR-03: a partner back to Business loses the keys of its status."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, GRANTED, policy, new_id, random_bytes)
    _apply(portfolio, Tier.BUSINESS, date(2027, 3, 10), policy, new_id, random_bytes, reason="lost")
    assert portfolio.active_grants() == ()
    assert all(g.revocation_cause is not None and g.revocation_cause.value == "STATUS_LOST" for g in portfolio.grants)


def test_status_regained_after_loss_issues_new_keys(policy, new_id, random_bytes):
    """R-NFR-01: a new attainment is a new entitlement, so fresh keys are issued."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, GRANTED, policy, new_id, random_bytes)
    _apply(portfolio, Tier.BUSINESS, date(2027, 3, 10), policy, new_id, random_bytes)
    _apply(portfolio, Tier.CERTIFIED, date(2027, 9, 1), policy, new_id, random_bytes)
    assert len(portfolio.active_grants()) == 2
    assert len(portfolio.grants) == 4


def test_status_key_without_confirmation_lapses_after_its_last_day(policy, new_id, random_bytes):
    """R-NFR-03: keys are active for one year; nobody confirmed the status, so they lapse."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, GRANTED, policy, new_id, random_bytes)
    assert portfolio.renewals_due(date(2027, 3, 10), policy) == ()
    due = portfolio.renewals_due(date(2027, 3, 11), policy)
    assert {d.subject for d in due} == {RenewalSubject.STATUS_KEY}
    for item in due:
        portfolio.apply_yearly_check(item, sales_uah=0, now=at(date(2027, 3, 11)), policy=policy)  # type: ignore[arg-type]
    assert {g.state for g in portfolio.grants} == {GrantState.LAPSED}


def test_status_key_validity_from_29_february_ends_28_february(policy, new_id, random_bytes):
    """R-NFR-03: a year from 29 February ends on 28 February of a common year (Kyiv dates)."""
    portfolio = PartnerNfr("p1")
    _apply(portfolio, Tier.CERTIFIED, date(2028, 2, 29), policy, new_id, random_bytes)
    assert {g.valid_until for g in portfolio.grants} == {date(2029, 2, 28)}
