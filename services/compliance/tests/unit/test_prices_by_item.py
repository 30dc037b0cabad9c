"""List prices by what is sold, agreed discounts and hidden discounts (R-PRC-01, R-PRC-02)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance_service.domain.agreed_discounts import covering_agreement, record_agreed_discount
from compliance_service.domain.cases import open_case
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.pricing import PriceCatalogue, SaleKind, SoldItem, check_resale_price
from compliance_service.domain.violation_types import ViolationType
from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy

TODAY = date(2026, 3, 2)
NOW = kyiv_datetime(TODAY, 10)
RENEWAL = SoldItem(SaleKind.RENEWAL, edition_code="SM_BUSINESS")
PRODUCTS = frozenset({"SM_BUSINESS", "SM_STANDARD", "PROFESSIONAL"})


def _verdict(policy: ProgramPolicy, item: SoldItem, price: str):  # type: ignore[no-untyped-def]
    list_price = PriceCatalogue(policy).list_price(item)
    return check_resale_price(price_uah=Decimal(price), list_price_uah=list_price, currency="UAH", policy=policy)


def test_each_kind_of_sale_has_its_own_list_price(policy: ProgramPolicy) -> None:
    """R-PRC-02: "list" is the published price of what is sold: a new licence, a renewal, an
    upgrade of each edition, and a cloud plan by plan and period, each its own policy price.

    Document 8.1: "по цінах не нижче тих, що вказані на сайтах у відповідних розділах
    www.bitrix.ua/buy/ та www.bitrix24.ua/prices/".
    """  # noqa: RUF002
    catalogue = PriceCatalogue(policy)
    assert catalogue.list_price(SoldItem(SaleKind.NEW_LICENSE, edition_code="SM_BUSINESS")) == Decimal(72900)
    assert catalogue.list_price(RENEWAL) == policy.price_list.renewals["SM_BUSINESS"] < Decimal(72900)
    upgrade = SoldItem(SaleKind.UPGRADE, edition_code="SM_BUSINESS", from_edition_code="SM_STANDARD")
    assert catalogue.list_price(upgrade) == Decimal(55000)
    monthly = SoldItem(SaleKind.CLOUD_PLAN, cloud_plan="PROFESSIONAL", period_months=1)
    yearly = SoldItem(SaleKind.CLOUD_PLAN, cloud_plan="PROFESSIONAL", period_months=12)
    assert (catalogue.list_price(monthly), catalogue.list_price(yearly)) == (Decimal(4790), Decimal(45900))


def test_a_renewal_resold_at_the_renewal_list_price_is_allowed(policy: ProgramPolicy) -> None:
    """R-PRC-02: a renewal at its own list price is allowed (it was refused against the new-licence
    price before); one kopiyka below it is not."""
    renewal_price = str(policy.price_list.renewals["SM_BUSINESS"])
    assert _verdict(policy, RENEWAL, renewal_price).allowed
    assert not _verdict(policy, RENEWAL, str(Decimal(renewal_price) - Decimal("0.01"))).allowed


@pytest.mark.parametrize(
    ("item", "field", "reason"),
    [
        (
            SoldItem(SaleKind.UPGRADE, edition_code="SM_STANDARD", from_edition_code="SM_BUSINESS"),
            "from_edition_code",
            "UPGRADE_NOT_PRICED",
        ),
        (
            SoldItem(SaleKind.CLOUD_PLAN, cloud_plan="PROFESSIONAL", period_months=5),
            "period_months",
            "CLOUD_PLAN_NOT_PRICED",
        ),
        (SoldItem(SaleKind.CLOUD_PLAN, cloud_plan="GALAXY", period_months=1), "cloud_plan", "CLOUD_PLAN_NOT_PRICED"),
        (SoldItem(SaleKind.RENEWAL, edition_code="SM_GALAXY"), "edition_code", "EDITION_UNKNOWN"),
    ],
)
def test_an_item_the_price_list_does_not_hold_is_invalid(
    policy: ProgramPolicy, item: SoldItem, field: str, reason: str
) -> None:
    """R-PRC-02: a price is checked only against a published price; an unpriced item is named."""
    with pytest.raises(InvalidArgument) as refused:
        PriceCatalogue(policy).list_price(item)
    assert refused.value.reason == reason and refused.value.violations[0].field == field


def _agreement(policy: ProgramPolicy, **changes):  # type: ignore[no-untyped-def]
    fields = {
        "agreed_discount_id": "ad-1",
        "description": "Spring promotion: 10 % off Business renewals",
        "vendor_reference": "letter 12/3",
        "partner_id": "",
        "product_code": "SM_BUSINESS",
        "sale_kind": SaleKind.RENEWAL,
        "max_discount_percent": Decimal(10),
        "valid_from": date(2026, 3, 1),
        "valid_until": date(2026, 3, 31),
        "known_products": PRODUCTS,
        "recorded_by": "staff:pricing",
        "now": NOW,
        "policy": policy,
    }
    fields.update(changes)
    return record_agreed_discount(**fields)


def test_a_vendor_agreed_discount_allows_the_price_it_covers_and_no_other(policy: ProgramPolicy) -> None:
    """R-PRC-01: discounts the vendor agreed (a promotion, a partner, a period) are neither refused
    nor a case; anything outside the agreement still is.

    Document 10.6: "надавати клієнтам тільки передбачені Партнерською програмою (або інші
    узгоджені) знижки".
    """  # noqa: RUF002
    promotion = _agreement(policy)
    partner_deal = _agreement(policy, agreed_discount_id="ad-2", partner_id="p-7", product_code="", sale_kind=None)
    list_price = PriceCatalogue(policy).list_price(RENEWAL)
    ten_off = list_price * Decimal("0.9")

    def covering(partner_id: str, item: SoldItem, price: Decimal, on: date = TODAY) -> str:
        found = covering_agreement(
            [promotion, partner_deal],
            partner_id=partner_id,
            item=item,
            on=on,
            price_uah=price,
            list_price_uah=list_price,
        )
        return found.agreed_discount_id if found else ""

    assert covering("p-1", RENEWAL, ten_off) == "ad-1"  # every partner, in the period
    assert covering("p-1", RENEWAL, ten_off - 1) == ""  # more than agreed
    assert covering("p-1", RENEWAL, ten_off, on=date(2026, 4, 1)) == ""  # after the period
    assert covering("p-1", SoldItem(SaleKind.NEW_LICENSE, edition_code="SM_BUSINESS"), ten_off) == ""  # other sale
    assert covering("p-7", SoldItem(SaleKind.NEW_LICENSE, edition_code="SM_STANDARD"), ten_off) == "ad-2"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": " "}, "description"),
        ({"vendor_reference": ""}, "vendor_reference"),
        ({"product_code": "SM_GALAXY"}, "product_code"),
        ({"max_discount_percent": Decimal(0)}, "max_discount_percent"),
        ({"max_discount_percent": Decimal(101)}, "max_discount_percent"),
        ({"valid_until": date(2026, 2, 1)}, "valid_until_date"),
    ],
)
def test_an_agreement_names_what_was_agreed(policy: ProgramPolicy, changes: dict[str, object], field: str) -> None:
    """R-PRC-01: staff record the agreement with its reference, product, share and period."""
    with pytest.raises(InvalidArgument) as refused:
        _agreement(policy, **changes)
    assert refused.value.violations[0].field == field


def _dumping(policy: ProgramPolicy, evidence: Evidence):  # type: ignore[no-untyped-def]
    return open_case(
        case_id="case-1",
        partner_id="p-1",
        violation_type=ViolationType.DUMPING,
        violation_date=TODAY,
        evidence=evidence,
        opened_by="staff:pricing",
        now=NOW,
        policy=policy,
    )


def test_staff_file_a_hidden_discount_as_dumping_with_evidence(policy: ProgramPolicy) -> None:
    """R-PRC-02: a nominal price at or above list with a rebate or free extras is a hidden discount
    staff can file as a dumping case; at list without either it is not dumping.

    Document 8.2: "Надання знижок (демпінг) кінцевим користувачам (в явному або прихованому
    вигляді) не допускається."
    """  # noqa: RUF002
    at_list = {"observed_price_uah": Decimal(72900), "list_price_uah": Decimal(72900)}
    rebate = _dumping(policy, Evidence(description="cash back", rebate_uah=Decimal(7000), **at_list))
    extras = _dumping(policy, Evidence(description="bundle", free_extras="a year of free support", **at_list))
    assert rebate.evidence.rebate_uah == Decimal(7000) and extras.evidence.free_extras == "a year of free support"
    with pytest.raises(InvalidArgument) as plain:
        _dumping(policy, Evidence(description="nothing hidden", **at_list))
    assert plain.value.reason == "DUMPING_PRICE_NOT_BELOW_LIST"
    with pytest.raises(InvalidArgument) as small:
        _dumping(
            policy,
            Evidence(
                description="small",
                observed_price_uah=Decimal(80000),
                list_price_uah=Decimal(72900),
                rebate_uah=Decimal(100),
            ),
        )
    assert small.value.reason == "HIDDEN_DISCOUNT_NOT_BELOW_LIST"


def test_staff_end_an_agreement_early_and_prices_below_list_are_dumping_again(policy: ProgramPolicy) -> None:
    """R-PRC-01: an agreement the vendor withdrew ends on the day staff name, with the reason;
    it cannot be stretched past its period, ended twice, or ended without a reason."""
    agreement = _agreement(policy)
    list_price = PriceCatalogue(policy).list_price(RENEWAL)
    with pytest.raises(InvalidArgument):
        agreement.end(last_date=TODAY, reason=" ", ended_by="staff:pricing", now=NOW)
    with pytest.raises(InvalidArgument):
        agreement.end(last_date=date(2026, 4, 30), reason="x", ended_by="staff:pricing", now=NOW)
    ended = agreement.end(
        last_date=TODAY, reason="the vendor withdrew the promotion", ended_by="staff:pricing", now=NOW
    )
    assert (ended.valid_until, ended.ended_by, ended.end_reason) == (
        TODAY,
        "staff:pricing",
        "the vendor withdrew the promotion",
    )
    ten_off = list_price * Decimal("0.9")
    cover = {"partner_id": "p-1", "item": RENEWAL, "price_uah": ten_off, "list_price_uah": list_price}
    assert ended.covers(on=TODAY, **cover)
    assert not ended.covers(on=date(2026, 3, 3), **cover)
    with pytest.raises(FailedPrecondition):
        ended.end(last_date=TODAY, reason="again", ended_by="staff:pricing", now=NOW)
