"""Resale prices by what is sold, agreed discounts and hidden discounts over real gRPC (R-PRC-01/02)."""

import grpc
import pytest

from partnerprogram.compliance.v1 import case_pb2, pricing_pb2
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

P = "p-resale"
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def _check(request_id: str, **overrides) -> pb.CheckResalePriceRequest:
    fields = {
        "request_id": request_id,
        "partner_id": P,
        "edition_code": "SM_BUSINESS",
        "price_uah": "72900",
        "currency": "UAH",
        "order_id": f"order-{request_id}",
    }
    fields.update(overrides)
    return pb.CheckResalePriceRequest(**fields)


async def _cases(svc) -> int:
    return int(await svc.scalar("SELECT count(*) FROM cases"))


async def test_a_renewal_at_the_renewal_list_price_is_allowed_and_opens_no_case(compliance):
    """R-PRC-02: the sales platform names what is sold; a renewal at the renewal list price, an
    upgrade at its price and a cloud plan at its price for the period are allowed with no case;
    below the item's price is refused with a dumping case naming the item; an unpriced item is
    INVALID_ARGUMENT."""
    svc = compliance
    await svc.approve_partner(P)
    renewal = pricing_pb2.SALE_KIND_RENEWAL
    allowed = await svc.stub.CheckResalePrice(_check("r1", sale_kind=renewal, price_uah="18230"), metadata=svc.sales())
    assert (allowed.allowed, allowed.list_price_uah, allowed.dumping_case_id) == (True, "18230", "")
    upgrade = await svc.stub.CheckResalePrice(
        _check("u1", sale_kind=pricing_pb2.SALE_KIND_UPGRADE, from_edition_code="SM_STANDARD", price_uah="55000"),
        metadata=svc.sales(),
    )
    cloud = await svc.stub.CheckResalePrice(
        _check(
            "c1",
            edition_code="",
            sale_kind=pricing_pb2.SALE_KIND_CLOUD_PLAN,
            cloud_plan="professional",
            period_months=12,
            price_uah="45900",
        ),
        metadata=svc.sales(),
    )
    assert (upgrade.allowed, upgrade.list_price_uah, cloud.allowed, cloud.list_price_uah) == (
        True,
        "55000",
        True,
        "45900",
    )
    assert await _cases(svc) == 0
    # The same renewal price as a new licence is far below list: refused, with the case.
    new = await svc.stub.CheckResalePrice(_check("n1", price_uah="18230"), metadata=svc.sales())
    assert (new.allowed, new.list_price_uah) == (False, "72900") and new.dumping_case_id
    below = await svc.stub.CheckResalePrice(_check("r2", sale_kind=renewal, price_uah="18000"), metadata=svc.sales())
    assert not below.allowed and below.dumping_case_id
    case = (await svc.stub.GetCase(pb.GetCaseRequest(case_id=below.dumping_case_id), metadata=svc.staff())).case
    assert "renewal of SM_BUSINESS" in case.evidence.description
    assert await _cases(svc) == 2
    await svc.refused(
        svc.stub.CheckResalePrice(
            _check("c2", sale_kind=pricing_pb2.SALE_KIND_CLOUD_PLAN, cloud_plan="PROFESSIONAL", period_months=7),
            metadata=svc.sales(),
        ),
        INVALID,
        "CLOUD_PLAN_NOT_PRICED",
    )


async def test_a_discount_the_vendor_agreed_is_neither_refused_nor_a_case(compliance):
    """R-PRC-01: staff record a discount the vendor agreed (10.6); a price it covers is allowed,
    names the agreement and opens no case; outside its share, partner or period it is dumping
    again, and from the day after staff end it early. The agreements are listed; only staff
    record them; a retry records once."""
    svc = compliance
    await svc.approve_partner(P)
    await svc.approve_partner("p-other")
    record = pb.RecordAgreedDiscountRequest(
        request_id="ad1",
        description="Partner deal: 15 % off Business licences in March",
        vendor_reference="letter 2026/03-17",
        partner_id=P,
        product_code="sm_business",
        max_discount_percent="15",
        valid_from_date="2026-03-01",
        valid_until_date="2026-03-31",
    )
    await svc.refused(
        svc.stub.RecordAgreedDiscount(record, metadata=svc.sales()), grpc.StatusCode.PERMISSION_DENIED, ""
    )
    agreement = (await svc.stub.RecordAgreedDiscount(record, metadata=svc.staff())).agreed_discount
    assert (await svc.stub.RecordAgreedDiscount(record, metadata=svc.staff())).agreed_discount == agreement
    assert (agreement.product_code, agreement.sale_kind, agreement.max_discount_percent) == (
        "SM_BUSINESS",
        pricing_pb2.SALE_KIND_UNSPECIFIED,
        "15",
    )

    covered = await svc.stub.CheckResalePrice(_check("a1", price_uah="61965"), metadata=svc.sales())
    assert (covered.allowed, covered.agreed_discount_id, covered.dumping_case_id) == (
        True,
        agreement.agreed_discount_id,
        "",
    )
    assert await _cases(svc) == 0
    deeper = await svc.stub.CheckResalePrice(_check("a2", price_uah="61964"), metadata=svc.sales())
    other = await svc.stub.CheckResalePrice(_check("a3", partner_id="p-other", price_uah="61965"), metadata=svc.sales())
    assert not deeper.allowed and deeper.dumping_case_id and not other.allowed and other.dumping_case_id
    ended = await svc.stub.EndAgreedDiscount(
        pb.EndAgreedDiscountRequest(
            request_id="end1", agreed_discount_id=agreement.agreed_discount_id, reason="the vendor withdrew the deal"
        ),
        metadata=svc.staff(),
    )
    assert (ended.agreed_discount.valid_until_date, ended.agreed_discount.end_reason) == (
        "2026-03-02",
        "the vendor withdrew the deal",
    )
    svc.clock.set(svc.clock.now().replace(day=3))
    after_end = await svc.stub.CheckResalePrice(_check("a5", price_uah="61965"), metadata=svc.sales())
    assert not after_end.allowed and after_end.dumping_case_id
    svc.clock.set(svc.clock.now().replace(month=4, day=2))
    later = await svc.stub.CheckResalePrice(_check("a4", price_uah="61965"), metadata=svc.sales())
    assert not later.allowed and later.dumping_case_id

    listed = await svc.stub.ListAgreedDiscounts(
        pb.ListAgreedDiscountsRequest(partner_id=P, in_force_on_date="2026-03-02"), metadata=svc.staff()
    )
    assert [a.agreed_discount_id for a in listed.agreed_discounts] == [agreement.agreed_discount_id]
    none = await svc.stub.ListAgreedDiscounts(
        pb.ListAgreedDiscountsRequest(in_force_on_date="2026-04-02"), metadata=svc.staff()
    )
    assert list(none.agreed_discounts) == []
    await svc.refused(
        svc.stub.RecordAgreedDiscount(
            pb.RecordAgreedDiscountRequest(
                request_id="ad2",
                description="x",
                vendor_reference="y",
                max_discount_percent="150",
                valid_from_date="2026-03-01",
                valid_until_date="2026-03-31",
            ),
            metadata=svc.staff(),
        ),
        INVALID,
        "AGREEMENT_PERCENT_INVALID",
    )


async def test_staff_file_a_hidden_discount_as_a_dumping_case(compliance):
    """R-PRC-02: a nominal price at list with a rebate is filed by staff as a dumping case with
    its evidence; at list with no hidden discount it is refused as not dumping."""
    svc = compliance
    await svc.approve_partner(P)

    def open_case(request_id: str, evidence: case_pb2.Evidence) -> pb.OpenCaseRequest:
        return pb.OpenCaseRequest(
            request_id=request_id,
            partner_id=P,
            violation_type=case_pb2.VIOLATION_TYPE_DUMPING,
            violation_date="2026-03-01",
            evidence=evidence,
        )

    hidden = case_pb2.Evidence(
        description="invoice at list, 8000 UAH returned to the client",
        observed_price_uah="72900",
        list_price_uah="72900",
        rebate_uah="8000",
        references=["client letter 3"],
    )
    case = (await svc.stub.OpenCase(open_case("h1", hidden), metadata=svc.staff())).case
    assert (case.state, case.evidence.rebate_uah) == (case_pb2.CASE_STATE_OPEN, "8000")
    plain = case_pb2.Evidence(description="at list", observed_price_uah="72900", list_price_uah="72900")
    await svc.refused(
        svc.stub.OpenCase(open_case("h2", plain), metadata=svc.staff()), INVALID, "DUMPING_PRICE_NOT_BELOW_LIST"
    )


async def test_a_control_purchase_is_judged_against_the_price_of_what_was_bought(compliance):
    """R-PRC-03 with R-PRC-02: a control purchase of a renewal compares with the renewal list price,
    a cloud plan with the plan's price for the period."""
    svc = compliance
    await svc.approve_partner(P)

    def purchase(request_id: str, paid: str, **item) -> pb.RecordControlPurchaseRequest:
        return pb.RecordControlPurchaseRequest(
            request_id=request_id,
            partner_id=P,
            paid_price_uah=paid,
            purchased_date="2026-03-01",
            evidence=case_pb2.Evidence(description="receipt"),
            **item,
        )

    renewal = (
        await svc.stub.RecordControlPurchase(
            purchase("cp1", "18230", edition_code="SM_BUSINESS", sale_kind=pricing_pb2.SALE_KIND_RENEWAL),
            metadata=svc.staff(),
        )
    ).control_purchase
    assert (renewal.list_price_uah, renewal.below_list) == ("18230", False)
    cloud = (
        await svc.stub.RecordControlPurchase(
            purchase(
                "cp2", "4000", sale_kind=pricing_pb2.SALE_KIND_CLOUD_PLAN, cloud_plan="PROFESSIONAL", period_months=1
            ),
            metadata=svc.staff(),
        )
    ).control_purchase
    assert (cloud.edition_code, cloud.list_price_uah, cloud.below_list) == ("PROFESSIONAL", "4790", True)
