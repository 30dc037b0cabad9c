"""The discount check answers from rows kept in memory (ppcore.notified_cache), and a
change made through the service is seen by the very next check (R-ENT-01/02)."""

from __future__ import annotations

import prometheus_client
import pytest
from status_api_support import StatusApi, applicant

from partnerprogram.status.v1 import employee_pb2, entitlement_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def _hits() -> float:
    labels = {"cache": "entitlements", "outcome": "hit"}
    return prometheus_client.REGISTRY.get_sample_value("pp_hot_cache_lookups_total", labels) or 0.0


async def test_an_employee_change_is_seen_by_the_next_check_though_rows_are_kept(api: StatusApi) -> None:
    tokens = api.tokens
    created = await api.call(
        "CreateApplication", pb.CreateApplicationRequest(request_id="c1", data=applicant()), tokens.system()
    )
    approve = pb.ApproveApplicationRequest(
        request_id="a1", application_id=created.application.application_id, staff_login="anna"
    )
    pid = (await api.call("ApproveApplication", approve)).partner.partner_id
    main = tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    check = pb.CheckDiscountEntitlementRequest(buyer_login="maria", product_family="SITE_MANAGEMENT")

    async def reason() -> int:
        answer = await api.call("CheckDiscountEntitlement", check, tokens.sales_platform())
        return int(answer.reason)

    unknown = await reason()
    assert unknown != entitlement_pb2.ENTITLEMENT_REASON_NO_PURCHASE_RIGHT
    hits_before = _hits()
    for n in range(5):
        assert await reason() == unknown  # kept: answered from memory
        await api.call(
            "AttachEmployee",
            pb.AttachEmployeeRequest(
                request_id=f"at{n}", partner_id=pid, login="maria", role=employee_pb2.ROLE_LIMITED
            ),
            main,
        )
        assert await reason() == entitlement_pb2.ENTITLEMENT_REASON_NO_PURCHASE_RIGHT  # R-ENT-02
        assert await reason() == entitlement_pb2.ENTITLEMENT_REASON_NO_PURCHASE_RIGHT
        await api.call(
            "DetachEmployee", pb.DetachEmployeeRequest(request_id=f"de{n}", partner_id=pid, login="maria"), main
        )
        assert await reason() == unknown
    # The second check after each change came from memory (the first reads the change).
    assert _hits() - hits_before >= 5
