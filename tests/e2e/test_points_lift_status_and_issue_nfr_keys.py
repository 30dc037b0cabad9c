"""Across processes: renewal orders (points) accrue points, the daily total lifts the
partner to Certified (status), licensing issues the Certified NFR keys, which the
product can verify, and the partner's cabinet (gateway) shows it all.
R-PTS-02, R-PTS-05, R-STS-02, R-STS-04, R-NFR-01, R-NFR-10, R-CARD-04."""

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from e2e_support import entitlement, eventually, md, onboard_partner
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as gateway_grpc
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import order_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import employee_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc

pytestmark = [pytest.mark.nats]


async def test_renewals_make_a_certified_partner_with_two_nfr_keys(suite, tokens):
    async with (
        grpc.aio.insecure_channel(suite.address("status")) as status_channel,
        grpc.aio.insecure_channel(suite.address("points")) as points_channel,
        grpc.aio.insecure_channel(suite.address("licensing")) as licensing_channel,
        grpc.aio.insecure_channel(suite.address("gateway")) as gateway_channel,
    ):
        status = status_grpc.StatusServiceStub(status_channel)
        points = points_grpc.PointsServiceStub(points_channel)
        licensing = licensing_grpc.LicensingServiceStub(licensing_channel)
        system, staff = md(tokens.system()), md(tokens.staff())

        partner_id = await onboard_partner(status_channel, tokens, "riser")
        # Two certified employees (the main user and a full-rights one) with the Certified courses.
        await status.AttachEmployee(
            status_pb.AttachEmployeeRequest(
                request_id="attach-dev",
                partner_id=partner_id,
                login="riser-dev",
                role=employee_pb2.ROLE_FULL,
                actor_login="riser",
            ),
            metadata=md(tokens.partner_user(partner_id, subject="riser")),
        )
        for login in ("riser", "riser-dev"):
            for course in ("SM_ADMINISTRATOR", "SM_DEVELOPER"):
                await status.RecordCertificate(
                    status_pb.RecordCertificateRequest(
                        request_id=f"cert-{login}-{course}",
                        certificate_id=f"{login}-{course}",
                        login=login,
                        course_code=course,
                        issued_date="2026-01-15",
                    ),
                    metadata=system,
                )

        # Two Enterprise renewals two days ago: 2 x 50 % of 100 points = 100 active points.
        order_time = Timestamp()
        order_time.FromDatetime(datetime.now(UTC) - timedelta(days=2))
        recorded = await points.RecordOrder(
            points_pb.RecordOrderRequest(
                request_id="order-1",
                order=order_pb2.Order(
                    order_id="order-1",
                    partner_id=partner_id,
                    order_time=order_time,
                    lines=[
                        order_pb2.OrderLine(
                            product_code="SM",
                            edition_code="SM_ENTERPRISE",
                            amount_uah="359000.00",
                            quantity=1,
                            renewal=True,
                        ),
                        order_pb2.OrderLine(
                            product_code="SM",
                            edition_code="SM_ENTERPRISE",
                            amount_uah="359000.00",
                            quantity=1,
                            renewal=True,
                        ),
                    ],
                ),
            ),
            metadata=system,
        )
        assert sum(float(e.points) for e in recorded.entries) == pytest.approx(100)

        totals = await points.RunDailyTotals(points_pb.RunDailyTotalsRequest(request_id="daily-1"), metadata=system)
        assert totals.changed_count >= 1

        async def partner_status():
            return await status.GetPartnerStatus(
                status_pb.GetPartnerStatusRequest(partner_id=partner_id), metadata=staff
            )

        upgraded = await eventually(partner_status, lambda r: r.status.tier == status_pb2.PARTNER_TIER_CERTIFIED)
        assert upgraded.status.tier == status_pb2.PARTNER_TIER_CERTIFIED
        assert (await entitlement(status_channel, tokens, partner_id)).discount_percent == 45

        async def nfr_keys():
            return await licensing.ListPartnerKeys(
                licensing_pb.ListPartnerKeysRequest(partner_id=partner_id), metadata=staff
            )

        keys = await eventually(nfr_keys, lambda r: len(r.grants) >= 2)
        assert len(keys.grants) == 2
        assert {g.edition for g in keys.grants} == {"SM_BUSINESS"}
        assert all(g.state == nfr_pb2.GRANT_STATE_ACTIVE for g in keys.grants)

        verdict = await licensing.VerifyKey(licensing_pb.VerifyKeyRequest(key=keys.grants[0].key), metadata=system)
        assert verdict.verdict.valid
        assert verdict.verdict.owner_id == partner_id

        # The partner's main user sees it all in one cabinet, nothing missing.
        cabinet = (
            await gateway_grpc.GatewayServiceStub(gateway_channel).GetPartnerCabinet(
                gateway_pb.GetPartnerCabinetRequest(partner_id=partner_id),
                metadata=md(tokens.partner_user(partner_id, subject="riser")),
            )
        ).cabinet
        assert not cabinet.partial, list(cabinet.missing_sections)
        assert cabinet.status.status.tier == status_pb2.PARTNER_TIER_CERTIFIED
        assert float(cabinet.points.active_points) == pytest.approx(100)
        assert len(cabinet.nfr.grants) == 2
