"""Resale-price checks, dumping incidents and control purchases (R-PRC-01, R-PRC-02, R-PRC-03)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from compliance_service.domain.cases import CaseState, open_case
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.pricing import (
    PRICE_CHECK_ACTOR,
    check_resale_price,
    list_price_uah,
    open_dumping_incident,
    record_control_purchase,
    should_open_dumping_incident,
)
from compliance_service.domain.violation_types import ViolationType
from ppcore.clock import kyiv_datetime
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy

NOW: datetime = kyiv_datetime(date(2026, 3, 2), 14)
LIST = Decimal("17900")


def test_list_price_comes_from_the_policy_catalogue(policy: ProgramPolicy) -> None:
    """R-PRC-01: the published list price is the edition's price_uah."""
    assert list_price_uah(policy, "SM_STANDARD") == LIST
    with pytest.raises(InvalidArgument) as err:
        list_price_uah(policy, "SM_GALAXY")
    assert err.value.reason == "EDITION_UNKNOWN"


@pytest.mark.parametrize("price", ["17900", "17900.00", "18500"])
def test_price_at_or_above_list_is_allowed(policy: ProgramPolicy, price: str) -> None:
    """R-PRC-01: resale at not below the list price is allowed."""
    verdict = check_resale_price(price_uah=Decimal(price), list_price_uah=LIST, currency="UAH", policy=policy)
    assert verdict.allowed and verdict.shortfall_uah == 0
    assert verdict.policy_version == policy.version


def test_price_one_kopiyka_below_list_is_refused(policy: ProgramPolicy) -> None:
    """R-PRC-02: a price below list is refused."""
    verdict = check_resale_price(price_uah=Decimal("17899.99"), list_price_uah=LIST, currency="UAH", policy=policy)
    assert not verdict.allowed and verdict.shortfall_uah == Decimal("0.01")


def test_price_in_another_currency_is_invalid(policy: ProgramPolicy) -> None:
    """R-PRC-02: list prices are in hryvnia."""
    with pytest.raises(InvalidArgument) as err:
        check_resale_price(price_uah=Decimal(500), list_price_uah=LIST, currency="USD", policy=policy)
    assert err.value.reason == "CURRENCY_NOT_SUPPORTED"


@pytest.mark.parametrize("price", ["0", "-1", "NaN"])
def test_non_positive_price_is_invalid(policy: ProgramPolicy, price: str) -> None:
    """R-PRC-02: the price asked about must be an amount."""
    with pytest.raises(InvalidArgument) as err:
        check_resale_price(price_uah=Decimal(price), list_price_uah=LIST, currency="UAH", policy=policy)
    assert err.value.violations[0].field == "price_uah"


def test_refused_price_opens_a_dumping_incident_once_per_order(policy: ProgramPolicy) -> None:
    """R-PRC-02: below list is recorded as a dumping incident, once per order."""
    refused = check_resale_price(price_uah=Decimal(15000), list_price_uah=LIST, currency="UAH", policy=policy)
    allowed = check_resale_price(price_uah=LIST, list_price_uah=LIST, currency="UAH", policy=policy)
    assert should_open_dumping_incident(refused, incidents_for_order=0, policy=policy)
    assert not should_open_dumping_incident(refused, incidents_for_order=1, policy=policy)
    assert not should_open_dumping_incident(allowed, incidents_for_order=0, policy=policy)


def test_dumping_incident_is_an_open_dumping_case_with_both_prices(policy: ProgramPolicy) -> None:
    """R-PRC-02: the incident waits for staff review as a DUMPING case."""
    verdict = check_resale_price(price_uah=Decimal(15000), list_price_uah=LIST, currency="UAH", policy=policy)
    case, event = open_dumping_incident(
        case_id="case-9",
        partner_id="p-1",
        order_id="order-77",
        edition_code="SM_STANDARD",
        verdict=verdict,
        now=NOW,
        policy=policy,
    )
    assert case.violation_type is ViolationType.DUMPING and case.state is CaseState.OPEN
    assert case.opened_by == PRICE_CHECK_ACTOR and case.violation_date == date(2026, 3, 2)
    assert (case.evidence.observed_price_uah, case.evidence.list_price_uah) == (Decimal(15000), LIST)
    assert case.evidence.order_id == "order-77"
    assert (event.case_id, event.order_id, event.observed_price_uah) == ("case-9", "order-77", Decimal(15000))


def test_dumping_incident_needs_its_order(policy: ProgramPolicy) -> None:
    """R-PRC-02: "once per order" needs the order."""
    verdict = check_resale_price(price_uah=Decimal(15000), list_price_uah=LIST, currency="UAH", policy=policy)
    with pytest.raises(InvalidArgument) as err:
        open_dumping_incident(
            case_id="c",
            partner_id="p-1",
            order_id=" ",
            edition_code="SM_STANDARD",
            verdict=verdict,
            now=NOW,
            policy=policy,
        )
    assert err.value.reason == "ORDER_REQUIRED"


def test_control_purchase_is_recorded_as_evidence(policy: ProgramPolicy) -> None:
    """R-PRC-03: a control purchase may be recorded at any time, and backs a dumping case."""
    purchase = record_control_purchase(
        purchase_id="cp-1",
        partner_id="p-1",
        edition_code="SM_STANDARD",
        paid_price_uah=Decimal(16000),
        list_price_uah=LIST,
        purchased_date=date(2026, 2, 27),
        evidence=Evidence(description="bought via the partner's shop", file_hashes=("sha256:" + "0" * 64,)),
        recorded_by="staff-1",
        now=NOW,
        policy=policy,
    )
    assert purchase.below_list and purchase.case_id == ""
    case = open_case(
        case_id="case-5",
        partner_id="p-1",
        violation_type=ViolationType.DUMPING,
        violation_date=purchase.purchased_date,
        evidence=purchase.as_dumping_evidence(),
        opened_by="staff-1",
        now=NOW,
        policy=policy,
    )
    assert case.evidence.observed_price_uah == Decimal(16000)


def test_control_purchase_attached_to_another_partners_case_is_refused(policy: ProgramPolicy) -> None:
    """R-PRC-03: evidence belongs to a case about the same partner."""
    case = open_case(
        case_id="case-5",
        partner_id="p-2",
        violation_type=ViolationType.OTHER,
        violation_date=date(2026, 3, 1),
        evidence=Evidence(description="x"),
        opened_by="s",
        now=NOW,
        policy=policy,
    )
    with pytest.raises(InvalidArgument) as err:
        record_control_purchase(
            purchase_id="cp-1",
            partner_id="p-1",
            edition_code="SM_STANDARD",
            paid_price_uah=LIST,
            list_price_uah=LIST,
            purchased_date=date(2026, 3, 1),
            evidence=Evidence(description="receipt"),
            recorded_by="s",
            now=NOW,
            policy=policy,
            case=case,
        )
    assert err.value.reason == "CASE_PARTNER_MISMATCH"
