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


@pytest.fixture
def granted(grant_on_request_key):
    """The key as requested and approved by staff (R-NFR-04/05)."""

    def request(portfolio, facts, policy, random_bytes, on=ON, edition=None, grant_id="g1"):
        return grant_on_request_key(portfolio, facts, policy, now=at(on), grant_id=grant_id, edition=edition)

    return request


def _site_check(portfolio, grant, on, policy, holds=True, note=""):
    return portfolio.record_site_check(
        grant_id=grant.grant_id, holds=holds, checked_by="staff:nfr", note=note, now=at(on), policy=policy
    )


def _year_check(portfolio, sales, on, policy):
    (due,) = portfolio.renewals_due(on, policy)
    assert due.subject is RenewalSubject.ON_REQUEST_KEY
    portfolio.apply_yearly_check(due, Decimal(sales), at(on), policy)
    return due


def test_partner_meeting_every_condition_gets_the_on_request_key(granted, policy, random_bytes, on_request_facts):
    """R-NFR-04: any partner meeting the conditions gets one key of the policy edition, valid a year."""
    grant = granted(PartnerNfr("p1"), on_request_facts, policy, random_bytes)
    assert grant.kind is GrantKind.ON_REQUEST
    assert grant.edition == policy.nfr.on_request.edition
    assert grant.valid_until == date(2027, 5, 4)
    assert grant.site_url == "https://p1.ua"


def test_every_unmet_condition_is_named_in_the_refusal(granted, policy, random_bytes, on_request_facts):
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
        granted(portfolio, facts, policy, random_bytes)
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


def test_missing_checklist_item_alone_refuses_with_r_nfr_05(granted, policy, random_bytes, on_request_facts):
    """R-NFR-05: the site integration requirements are conditions of the key."""
    facts = replace(on_request_facts, checklist=SiteChecklist(True, True, True, False, True, True))
    with pytest.raises(FailedPrecondition) as refused:
        granted(PartnerNfr("p1"), facts, policy, random_bytes)
    (violation,) = refused.value.violations
    assert violation.field == "conditions.checklist.product_description_all_editions"
    assert "R-NFR-05" in violation.description


def test_on_request_key_asked_for_twice_is_refused(granted, policy, random_bytes, on_request_facts):
    """R-NFR-04: once per partner, ever, even after the first key lapsed."""
    portfolio = PartnerNfr("p1")
    granted(portfolio, on_request_facts, policy, random_bytes)
    portfolio.grants[0].state = GrantState.LAPSED
    with pytest.raises(AlreadyExists) as refused:
        granted(portfolio, on_request_facts, policy, random_bytes, grant_id="g2")
    assert refused.value.reason == "ON_REQUEST_KEY_ALREADY_GRANTED"


def test_refused_request_does_not_use_up_the_one_key(granted, policy, random_bytes, on_request_facts):
    """R-NFR-04: a partner that fixes its site may ask again after a refusal."""
    portfolio = PartnerNfr("p1")
    with pytest.raises(FailedPrecondition):
        granted(portfolio, replace(on_request_facts, original_design=False), policy, random_bytes)
    assert granted(portfolio, on_request_facts, policy, random_bytes).is_active


def test_a_lower_edition_may_be_chosen_but_not_a_higher_one(granted, policy, random_bytes, on_request_facts):
    """R-NFR-04: the site moves to the product of the selected edition, up to the policy's."""
    assert granted(PartnerNfr("p1"), on_request_facts, policy, random_bytes, edition="SM_START").edition == "SM_START"
    with pytest.raises(InvalidArgument):
        granted(PartnerNfr("p2"), on_request_facts, policy, random_bytes, edition="SM_ENTERPRISE")


def test_sales_exactly_two_editions_price_renew_for_twelve_months(granted, policy, random_bytes, on_request_facts):
    """R-NFR-06: sales equal to two editions' price (2 x 72,900 = 145,800 UAH) are enough."""
    portfolio = PartnerNfr("p1")
    grant = granted(portfolio, on_request_facts, policy, random_bytes)
    portfolio.collect_events()
    due = _year_check(portfolio, "145800.00", date(2027, 5, 4), policy)
    assert (due.sales_from, due.sales_until) == (date(2026, 5, 4), date(2027, 5, 4))
    assert grant.is_active
    assert grant.valid_until == date(2028, 5, 4)
    (event,) = portfolio.collect_events()
    assert isinstance(event, NfrKeyRenewed)


def test_sales_a_kopiyka_short_of_two_editions_price_lapse(granted, policy, random_bytes, on_request_facts):
    """R-NFR-06: below the price of two editions the key lapses."""
    portfolio = PartnerNfr("p1")
    grant = granted(portfolio, on_request_facts, policy, random_bytes)
    portfolio.collect_events()
    _year_check(portfolio, "145799.99", date(2027, 5, 4), policy)
    assert grant.state is GrantState.LAPSED
    (event,) = portfolio.collect_events()
    assert isinstance(event, NfrKeyLapsed)
    assert "145799.99" in event.reason


def test_threshold_follows_the_edition_given(granted, policy, random_bytes, on_request_facts):
    """R-NFR-06: two editions of the product it was given: Start is 2 x 6,600 UAH."""
    portfolio = PartnerNfr("p1")
    grant = granted(portfolio, on_request_facts, policy, random_bytes, edition="SM_START")
    _year_check(portfolio, "13200", date(2027, 5, 4), policy)
    assert grant.is_active


def test_renewal_date_on_29_february_keeps_its_anchor(granted, policy, random_bytes, on_request_facts):
    """R-NFR-06: issued 29 Feb 2028: ends 28 Feb 2029, 28 Feb 2030, ..., 29 Feb 2032 again."""
    portfolio = PartnerNfr("p1")
    grant = granted(portfolio, on_request_facts, policy, random_bytes, on=date(2028, 2, 29))
    assert grant.valid_until == date(2029, 2, 28)
    assert portfolio.renewals_due(date(2029, 2, 27), policy) == ()
    _year_check(portfolio, "200000", date(2029, 2, 28), policy)
    assert grant.valid_until == date(2030, 2, 28)
    for year in (2030, 2031, 2032):
        _site_check(portfolio, grant, date(year, 1, 10), policy)
    _year_check(portfolio, "200000", date(2030, 2, 28), policy)
    _year_check(portfolio, "200000", date(2031, 2, 28), policy)
    assert grant.valid_until == date(2032, 2, 29)
    due = portfolio.renewals_due(date(2032, 2, 29), policy)
    assert (due[0].sales_from, due[0].sales_until) == (date(2031, 2, 28), date(2032, 2, 29))


def test_a_request_waits_for_staff_to_verify_the_site_before_the_key_is_issued(policy, random_bytes, on_request_facts):
    """R-NFR-04/05: the partner files a request; staff verify the site requirements, then decide:
    approval issues the key, a rejection names the unmet requirement and the partner may ask again.

    Document 6.2: "може один раз надіслати запит на отримання NFR-активаційного ключа ...
    виконавши відповідні умови"; "Вимоги інтеграції сайту Партнера з ПП".
    """
    portfolio = PartnerNfr("p1")
    request = portfolio.request_on_request_key(
        key_request_id="kr-1", facts=on_request_facts, site_url="https://p1.ua", edition=None, now=at(ON), policy=policy
    )
    assert request.is_pending and portfolio.grants == []
    with pytest.raises(AlreadyExists) as waiting:
        portfolio.request_on_request_key(
            key_request_id="kr-2",
            facts=on_request_facts,
            site_url="https://p1.ua",
            edition=None,
            now=at(ON),
            policy=policy,
        )
    assert waiting.value.reason == "ON_REQUEST_KEY_REQUEST_PENDING"
    with pytest.raises(InvalidArgument):
        portfolio.reject_on_request_key(key_request_id="kr-1", decided_by="staff:nfr", reason=" ", now=at(ON))
    rejected = portfolio.reject_on_request_key(
        key_request_id="kr-1", decided_by="staff:nfr", reason="no Bitrix24 logo on the site", now=at(ON)
    )
    assert (rejected.state.value, rejected.decision_note) == ("REJECTED", "no Bitrix24 logo on the site")
    again = portfolio.request_on_request_key(
        key_request_id="kr-3", facts=on_request_facts, site_url="https://p1.ua", edition=None, now=at(ON), policy=policy
    )
    _, grant = portfolio.approve_on_request_key(
        key_request_id=again.key_request_id,
        grant_id="g1",
        contract_accepted=True,
        certified_employees=1,
        decided_by="staff:nfr",
        note="logo added",
        now=at(ON),
        policy=policy,
        random_bytes=random_bytes,
    )
    assert (again.state.value, again.grant_id, grant.kind) == ("APPROVED", "g1", GrantKind.ON_REQUEST)
    assert (grant.site_checked_on, grant.site_requirements_hold) == (ON, True)
    assert "staff:nfr" in grant.history[0].reason


def test_approval_asks_the_partner_conditions_again(policy, random_bytes, on_request_facts):
    """R-NFR-04: a contract no longer accepted when staff decide refuses the key."""
    portfolio = PartnerNfr("p1")
    portfolio.request_on_request_key(
        key_request_id="kr-1", facts=on_request_facts, site_url="https://p1.ua", edition=None, now=at(ON), policy=policy
    )
    with pytest.raises(FailedPrecondition) as refused:
        portfolio.approve_on_request_key(
            key_request_id="kr-1",
            grant_id="g1",
            contract_accepted=False,
            certified_employees=1,
            decided_by="staff:nfr",
            note="",
            now=at(ON),
            policy=policy,
            random_bytes=random_bytes,
        )
    assert refused.value.reason == "ON_REQUEST_CONDITIONS_UNMET" and portfolio.grants == []


def test_renewal_re_checks_that_the_site_requirements_still_hold(granted, policy, random_bytes, on_request_facts):
    """R-NFR-06: sales are not enough: the site requirements must still hold at renewal, by the
    latest staff check within the policy's months; a check that found them gone lapses the key.

    Document 6.2: "Перерахована інформація повинна зберігатися на сайті Партнера весь час
    використання NFR-копії по запиту."
    """
    held = PartnerNfr("p1")
    held_grant = granted(held, on_request_facts, policy, random_bytes)
    _year_check(held, "145800", date(2027, 5, 4), policy)  # the approval is the first check
    assert held_grant.is_active
    _year_check(held, "145800", date(2028, 5, 4), policy)  # no check in the second year
    assert held_grant.state is GrantState.LAPSED
    assert "more than 12 months ago" in held_grant.history[-1].reason

    gone = PartnerNfr("p2")
    gone_grant = granted(gone, on_request_facts, policy, random_bytes)
    with pytest.raises(InvalidArgument):
        _site_check(gone, gone_grant, date(2027, 3, 1), policy, holds=False)
    _site_check(gone, gone_grant, date(2027, 3, 1), policy, holds=False, note="the Powered-by link was removed")
    _year_check(gone, "999999", date(2027, 5, 4), policy)
    assert gone_grant.state is GrantState.LAPSED
    assert "not to hold on 2027-03-01" in gone_grant.history[-1].reason
