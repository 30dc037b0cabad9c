from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from licensing_service.domain import (
    GrantKind,
    GrantState,
    NfrKeyLapsed,
    NfrKeyRenewed,
    PartnerNfr,
    RenewalSubject,
    SiteChecklist,
    SiteTopic,
)
from ppcore.clock import kyiv_datetime
from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument

ON = date(2026, 5, 4)


def at(d: date, hour: int = 10) -> datetime:
    """An instant on the Kyiv date ``d``."""
    return kyiv_datetime(d, hour)


def _request(portfolio, facts, policy, random_bytes, on=ON, edition=None, grant_id="g1"):
    return portfolio.request_on_request_key(
        grant_id=grant_id,
        facts=facts,
        site_url="https://p1.ua",
        edition=edition,
        now=at(on),
        policy=policy,
        random_bytes=random_bytes,
    )


def _year_check(portfolio, sales, on, policy):
    (due,) = portfolio.renewals_due(on, policy)
    assert due.subject is RenewalSubject.ON_REQUEST_KEY
    portfolio.apply_yearly_check(due, Decimal(sales), at(on), policy)
    return due


def test_partner_meeting_every_condition_gets_the_on_request_key(policy, random_bytes, on_request_facts):
    """R-NFR-04: any partner meeting the conditions gets one key of the policy edition, valid a year."""
    grant = _request(PartnerNfr("p1"), on_request_facts, policy, random_bytes)
    assert grant.kind is GrantKind.ON_REQUEST
    assert grant.edition == policy.nfr.on_request.edition
    assert grant.valid_until == date(2027, 5, 4)
    assert grant.site_url == "https://p1.ua"


def test_every_unmet_condition_is_named_in_the_refusal(policy, random_bytes, on_request_facts):
    """R-NFR-04, R-NFR-05: each unmet condition, checklist items included, is named."""
    facts = replace(
        on_request_facts,
        contract_accepted=False,
        certified_employees=0,
        site_on_product=False,
        checklist=SiteChecklist(True, False, True, True, True, False),
        original_design=False,
        site_topic=SiteTopic.UNRELATED,
    )
    portfolio = PartnerNfr("p1")
    with pytest.raises(FailedPrecondition) as refused:
        _request(portfolio, facts, policy, random_bytes)
    assert refused.value.reason == "ON_REQUEST_CONDITIONS_UNMET"
    assert [v.field for v in refused.value.violations] == [
        "conditions.contract_accepted",
        "conditions.certified_employees",
        "conditions.site_on_product",
        "conditions.checklist.services_list",
        "conditions.checklist.powered_by_link_on_every_page",
        "conditions.original_design",
        "conditions.site_topic",
    ]
    assert portfolio.grants == []


def test_missing_checklist_item_alone_refuses_with_r_nfr_05(policy, random_bytes, on_request_facts):
    """R-NFR-05: the site integration requirements are conditions of the key."""
    facts = replace(on_request_facts, checklist=SiteChecklist(True, True, True, False, True, True))
    with pytest.raises(FailedPrecondition) as refused:
        _request(PartnerNfr("p1"), facts, policy, random_bytes)
    (violation,) = refused.value.violations
    assert violation.field == "conditions.checklist.product_description_all_editions"
    assert "R-NFR-05" in violation.description


def test_on_request_key_asked_for_twice_is_refused(policy, random_bytes, on_request_facts):
    """R-NFR-04: once per partner, ever, even after the first key lapsed."""
    portfolio = PartnerNfr("p1")
    _request(portfolio, on_request_facts, policy, random_bytes)
    portfolio.grants[0].state = GrantState.LAPSED
    with pytest.raises(AlreadyExists) as refused:
        _request(portfolio, on_request_facts, policy, random_bytes, grant_id="g2")
    assert refused.value.reason == "ON_REQUEST_KEY_ALREADY_GRANTED"


def test_refused_request_does_not_use_up_the_one_key(policy, random_bytes, on_request_facts):
    """R-NFR-04: a partner that fixes its site may ask again after a refusal."""
    portfolio = PartnerNfr("p1")
    with pytest.raises(FailedPrecondition):
        _request(portfolio, replace(on_request_facts, original_design=False), policy, random_bytes)
    assert _request(portfolio, on_request_facts, policy, random_bytes).is_active


def test_a_lower_edition_may_be_chosen_but_not_a_higher_one(policy, random_bytes, on_request_facts):
    """R-NFR-04: the site moves to the product of the selected edition, up to the policy's."""
    assert _request(PartnerNfr("p1"), on_request_facts, policy, random_bytes, edition="SM_START").edition == "SM_START"
    with pytest.raises(InvalidArgument):
        _request(PartnerNfr("p2"), on_request_facts, policy, random_bytes, edition="SM_ENTERPRISE")


def test_sales_exactly_two_editions_price_renew_for_twelve_months(policy, random_bytes, on_request_facts):
    """R-NFR-06: sales equal to two editions' price (2 x 72,900 = 145,800 UAH) are enough."""
    portfolio = PartnerNfr("p1")
    grant = _request(portfolio, on_request_facts, policy, random_bytes)
    portfolio.collect_events()
    due = _year_check(portfolio, "145800.00", date(2027, 5, 4), policy)
    assert (due.sales_from, due.sales_until) == (date(2026, 5, 4), date(2027, 5, 4))
    assert grant.is_active
    assert grant.valid_until == date(2028, 5, 4)
    (event,) = portfolio.collect_events()
    assert isinstance(event, NfrKeyRenewed)


def test_sales_a_kopiyka_short_of_two_editions_price_lapse(policy, random_bytes, on_request_facts):
    """R-NFR-06: below the price of two editions the key lapses."""
    portfolio = PartnerNfr("p1")
    grant = _request(portfolio, on_request_facts, policy, random_bytes)
    portfolio.collect_events()
    _year_check(portfolio, "145799.99", date(2027, 5, 4), policy)
    assert grant.state is GrantState.LAPSED
    (event,) = portfolio.collect_events()
    assert isinstance(event, NfrKeyLapsed)
    assert "145799.99" in event.reason


def test_threshold_follows_the_edition_given(policy, random_bytes, on_request_facts):
    """R-NFR-06: two editions of the product it was given: Start is 2 x 6,600 UAH."""
    portfolio = PartnerNfr("p1")
    grant = _request(portfolio, on_request_facts, policy, random_bytes, edition="SM_START")
    _year_check(portfolio, "13200", date(2027, 5, 4), policy)
    assert grant.is_active


def test_renewal_date_on_29_february_keeps_its_anchor(policy, random_bytes, on_request_facts):
    """R-NFR-06: issued 29 Feb 2028: ends 28 Feb 2029, 28 Feb 2030, ..., 29 Feb 2032 again."""
    portfolio = PartnerNfr("p1")
    grant = _request(portfolio, on_request_facts, policy, random_bytes, on=date(2028, 2, 29))
    assert grant.valid_until == date(2029, 2, 28)
    assert portfolio.renewals_due(date(2029, 2, 27), policy) == ()
    _year_check(portfolio, "200000", date(2029, 2, 28), policy)
    assert grant.valid_until == date(2030, 2, 28)
    _year_check(portfolio, "200000", date(2030, 2, 28), policy)
    _year_check(portfolio, "200000", date(2031, 2, 28), policy)
    assert grant.valid_until == date(2032, 2, 29)
    due = portfolio.renewals_due(date(2032, 2, 29), policy)
    assert (due[0].sales_from, due[0].sales_until) == (date(2031, 2, 28), date(2032, 2, 29))
