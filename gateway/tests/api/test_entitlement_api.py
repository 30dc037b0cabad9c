"""CheckDiscountEntitlement facade: forwards to the status service with a short deadline and
passes its refusals on (R-ENT-01/02)."""

import time

import grpc
import pytest

from partnerprogram.compliance.v1 import pricing_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.status.v1 import entitlement_pb2, status_pb2
from ppcore.auth import CallerKind
from ppcore.errors import InvalidArgument
from ppcore.grpc_errors import error_info, field_violations, status_from_rpc_error

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

REQUEST = pb.CheckDiscountEntitlementRequest(buyer_login="anna", product_family="SITE_MANAGEMENT")


async def test_sales_platform_gets_the_status_services_answer(gateway):
    """R-ENT-01: the answer, its rate and its reason are the status service's, unchanged."""
    answer = await gateway.stub.CheckDiscountEntitlement(REQUEST, metadata=gateway.sales())
    assert answer.allowed and answer.discount_percent == 45
    assert answer.tier == status_pb2.PARTNER_TIER_CERTIFIED
    assert answer.reason == entitlement_pb2.ENTITLEMENT_REASON_ENTITLED
    assert answer.partner_id == "p-1" and answer.policy_version == "2026.11-1"
    status = gateway.backends.status
    assert [(r.buyer_login, r.product_family) for r in status.entitlement_requests] == [("anna", "SITE_MANAGEMENT")]
    assert status.callers[-1].kind is CallerKind.SYSTEM


async def test_a_refusal_of_the_status_service_reaches_the_caller_as_is(gateway):
    """A bad request is the caller's: same code, same ErrorInfo reason and field violations."""
    gateway.backends.status.refusal = InvalidArgument.for_field(
        "product_family", "is not a product family", reason="UNKNOWN_PRODUCT_FAMILY", rule="R-STS-06"
    )
    error = await gateway.refused(
        gateway.stub.CheckDiscountEntitlement(REQUEST, metadata=gateway.sales()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNKNOWN_PRODUCT_FAMILY",
    )
    status = status_from_rpc_error(error)
    assert [v.field for v in field_violations(status)] == ["product_family"]
    assert error_info(status).metadata["rule"] == "R-STS-06"


async def test_slow_status_service_is_unavailable_within_the_short_deadline(gateway):
    """The checkout path fails fast: UNAVAILABLE naming the backend, not a hung buyer."""
    gateway.backends.status.delay = 3.0
    started = time.monotonic()
    error = await gateway.refused(
        gateway.stub.CheckDiscountEntitlement(REQUEST, metadata=gateway.sales(), timeout=5),
        grpc.StatusCode.UNAVAILABLE,
        "BACKEND_UNAVAILABLE",
    )
    assert time.monotonic() - started < gateway.settings.entitlement_deadline_seconds + 0.5
    assert error_info(status_from_rpc_error(error)).metadata["backend"] == "status"


async def test_status_service_down_is_unavailable(gateway):
    await gateway.backends.take_down("status")
    await gateway.refused(
        gateway.stub.CheckDiscountEntitlement(REQUEST, metadata=gateway.sales(), timeout=5),
        grpc.StatusCode.UNAVAILABLE,
        "BACKEND_UNAVAILABLE",
    )


async def test_checkout_facade_answers_discount_and_price_together(gateway):
    """The checkout facade: the discount entitlement (R-ENT-01) and the resale-price verdict
    (R-PRC-02) in one call, each with its reason code; the price check is the partner's."""
    allowed = await gateway.stub.CheckCheckout(
        pb.CheckCheckoutRequest(
            request_id="co-1",
            buyer_login="olena",
            partner_id="p-1",
            product_family="SITE_MANAGEMENT",
            edition_code="SM_BUSINESS",
            sale_kind=pricing_pb2.SALE_KIND_RENEWAL,
            resale_price_uah="1200",
            order_id="o-1",
        ),
        metadata=gateway.sales(),
    )
    assert allowed.discount.allowed and allowed.discount.reason == entitlement_pb2.ENTITLEMENT_REASON_ENTITLED
    assert allowed.price.allowed and allowed.price.reason == pb.PRICE_VERDICT_REASON_AT_OR_ABOVE_LIST
    forwarded = gateway.backends.compliance.price_requests[-1]
    assert (forwarded.partner_id, forwarded.sale_kind, forwarded.request_id) == (
        "p-1",
        pricing_pb2.SALE_KIND_RENEWAL,
        "co-1",
    )

    dumping = await gateway.stub.CheckCheckout(
        pb.CheckCheckoutRequest(
            request_id="co-2", buyer_login="olena", product_family="SITE_MANAGEMENT", resale_price_uah="10"
        ),
        metadata=gateway.sales(),
    )
    assert not dumping.price.allowed and dumping.price.reason == pb.PRICE_VERDICT_REASON_BELOW_LIST
    assert dumping.price.dumping_case_id == "case-1"
    assert gateway.backends.compliance.price_requests[-1].partner_id == "p-1"  # the buyer's partner


async def test_checkout_facade_is_unavailable_when_compliance_is_down(gateway):
    await gateway.backends.take_down("compliance")
    await gateway.refused(
        gateway.stub.CheckCheckout(
            pb.CheckCheckoutRequest(
                request_id="co-3",
                buyer_login="olena",
                partner_id="p-1",
                product_family="SITE_MANAGEMENT",
                resale_price_uah="1200",
            ),
            metadata=gateway.sales(),
        ),
        grpc.StatusCode.UNAVAILABLE,
        "BACKEND_UNAVAILABLE",
    )


async def test_the_sales_platform_must_name_the_buyer_at_the_gateway_too(gateway):
    """R-ENT-01/02: "The sales platform's purchase check must name the buyer, so the buyer's
    purchase right is always checked; a check by partner id alone is a staff query and must
    say so in its answer." The gateway calls status as itself, so it refuses the sales
    platform's partner-id-only check (entitlement and checkout) before any backend is asked."""
    by_partner = pb.CheckDiscountEntitlementRequest(partner_id="p-1", product_family="SITE_MANAGEMENT")
    error = await gateway.refused(
        gateway.stub.CheckDiscountEntitlement(by_partner, metadata=gateway.sales()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "BUYER_REQUIRED",
    )
    status = status_from_rpc_error(error)
    assert [v.field for v in field_violations(status)] == ["buyer_login"]
    assert error_info(status).metadata["rule"] == "R-ENT-01"
    await gateway.refused(
        gateway.stub.CheckCheckout(
            pb.CheckCheckoutRequest(
                request_id="co-9", partner_id="p-1", product_family="SITE_MANAGEMENT", resale_price_uah="10"
            ),
            metadata=gateway.sales(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "BUYER_REQUIRED",
    )
    assert gateway.backends.status.entitlement_requests == []
    assert gateway.backends.compliance.price_requests == []


async def test_a_staff_query_by_partner_id_says_so(gateway):
    """R-ENT-01: a check by partner id alone (staff) is answered, and the gateway passes on
    status's staff_query flag, in the entitlement answer and in the checkout's discount."""
    status = gateway.backends.status
    status.entitlement.staff_query = True
    by_partner = pb.CheckDiscountEntitlementRequest(partner_id="p-1", product_family="SITE_MANAGEMENT")
    answer = await gateway.stub.CheckDiscountEntitlement(by_partner, metadata=gateway.staff())
    assert answer.staff_query and answer.partner_id == "p-1"
    assert [(r.buyer_login, r.partner_id) for r in status.entitlement_requests] == [("", "p-1")]
    checkout = await gateway.stub.CheckCheckout(
        pb.CheckCheckoutRequest(
            request_id="co-4", partner_id="p-1", product_family="SITE_MANAGEMENT", resale_price_uah="1200"
        ),
        metadata=gateway.system(),
    )
    assert checkout.discount.staff_query


async def test_violators_list_is_public(gateway):
    """R-SAN-06: the violators list, served by the gateway to anyone."""
    response = await gateway.stub.ListViolators(pb.ListViolatorsRequest())
    assert [v.partner_id for v in response.violators] == ["p-9"]
