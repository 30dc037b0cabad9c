"""Across processes: a resale price below list (compliance) becomes a dumping case, its
confirmation a discount block, and the status service refuses the discount until the
block's end date, then grants it again when the block is lifted.
R-PRC-02, R-SAN-07, R-ENT-01."""

from datetime import date, timedelta

import grpc
import pytest
from e2e_support import entitlement, eventually, md, onboard_partner

from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.status.v1 import entitlement_pb2
from ppcore.clock import SystemClock, kyiv_date

pytestmark = [pytest.mark.nats]


async def test_dumping_blocks_the_discount_until_lifted(suite, tokens):
    async with (
        grpc.aio.insecure_channel(suite.address("status")) as status_channel,
        grpc.aio.insecure_channel(suite.address("compliance")) as compliance_channel,
    ):
        partner_id = await onboard_partner(status_channel, tokens, "dumper")
        granted = await entitlement(status_channel, tokens, partner_id)
        assert granted.allowed and granted.discount_percent == 40

        compliance = compliance_grpc.ComplianceServiceStub(compliance_channel)
        staff = md(tokens.staff())

        async def price_check():
            try:
                return await compliance.CheckResalePrice(
                    compliance_pb.CheckResalePriceRequest(
                        request_id="price-1",
                        partner_id=partner_id,
                        edition_code="SM_BUSINESS",
                        price_uah="50000.00",
                        currency="UAH",
                        order_id="order-77",
                    ),
                    metadata=md(tokens.sales_platform()),
                )
            except grpc.aio.AioRpcError as error:  # compliance has not heard of the partner yet
                if error.code() is grpc.StatusCode.NOT_FOUND:
                    return None
                raise

        verdict = await eventually(price_check, lambda r: r is not None)
        assert not verdict.allowed
        assert verdict.dumping_case_id

        await compliance.ConfirmCase(
            compliance_pb.ConfirmCaseRequest(
                request_id="confirm-1", case_id=verdict.dumping_case_id, reason="price below list", actor_id="staff:1"
            ),
            metadata=staff,
        )
        today = kyiv_date(SystemClock().now())
        end = today + timedelta(days=90)
        applied = await compliance.ApplySanction(
            compliance_pb.ApplySanctionRequest(
                request_id="sanction-1",
                case_id=verdict.dumping_case_id,
                kind=sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK,
                start_date=today.isoformat(),
                end_date=end.isoformat(),
                actor_id="staff:1",
            ),
            metadata=staff,
        )

        blocked = await eventually(
            lambda: entitlement(status_channel, tokens, partner_id),
            lambda r: r.reason == entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED,
        )
        assert not blocked.allowed
        assert date.fromisoformat(blocked.blocked_until_date) == end

        await compliance.LiftSanction(
            compliance_pb.LiftSanctionRequest(
                request_id="lift-1", sanction_id=applied.sanction.sanction_id, note="settled", actor_id="staff:1"
            ),
            metadata=staff,
        )
        restored = await eventually(lambda: entitlement(status_channel, tokens, partner_id), lambda r: r.allowed)
        assert restored.discount_percent == 40
