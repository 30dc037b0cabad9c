"""GetPartnerSnapshot: the partner view's parts from one read (R-CARD-04), each equal to what
its own RPC answers, only the parts asked for, and personal data shown as the person the
gateway serves may see it (R-PD-01)."""

from __future__ import annotations

import grpc
import pytest
from status_api_support import StatusApi, approved_partner

from partnerprogram.status.v1 import card_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import ON_BEHALF_OF, PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

FAMILY = "SITE_MANAGEMENT"


@pytest.fixture(scope="module")
async def partner(shared_api: StatusApi) -> str:
    pid = await approved_partner(shared_api, "snapshot")
    main = shared_api.tokens.partner_user(pid, PartnerRole.MAIN, subject="snapshot")
    await shared_api.call(
        "ProposeCardChange",
        pb.ProposeCardChangeRequest(
            request_id="snap-card", partner_id=pid, content=card_pb2.CardContent(phone="+380 67 765 4321")
        ),
        main,
    )
    return pid


async def _snapshot(
    api: StatusApi, request: pb.GetPartnerSnapshotRequest, end_user: str = ""
) -> pb.GetPartnerSnapshotResponse:
    metadata = api.md(api.tokens.system()) + (((ON_BEHALF_OF, end_user),) if end_user else ())
    return await api.stub.GetPartnerSnapshot(request, metadata=metadata, timeout=10)


async def test_every_part_equals_its_own_rpcs_answer(shared_api: StatusApi, partner: str) -> None:
    api, system = shared_api, shared_api.tokens.system()
    got = await _snapshot(api, pb.GetPartnerSnapshotRequest(partner_id=partner, discount_product_family=FAMILY))

    def ask(rpc: str, request: object) -> object:
        return api.call(rpc, request, system)  # type: ignore[arg-type]

    assert got.partner == (await ask("GetPartner", pb.GetPartnerRequest(partner_id=partner))).partner
    assert got.card == (await ask("GetPartnerCard", pb.GetPartnerCardRequest(partner_id=partner))).card
    assert got.status == (await ask("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=partner))).status
    discount = await ask(
        "CheckDiscountEntitlement", pb.CheckDiscountEntitlementRequest(partner_id=partner, product_family=FAMILY)
    )
    assert got.discount == discount
    employees = await ask("ListEmployees", pb.ListEmployeesRequest(partner_id=partner, page_size=200))
    assert list(got.employees) == list(employees.employees) and got.employees
    competencies = await ask("ListCompetencies", pb.ListCompetenciesRequest(partner_id=partner, page_size=200))
    assert list(got.competencies) == list(competencies.competencies)
    leads = await ask("ListLeads", pb.ListLeadsRequest(partner_id=partner, page_size=200))
    assert list(got.leads) == list(leads.leads)
    # R-PRT-05: no letter before the contract application is accepted, with the same reason.
    refused = await api.refused("GetAuthorizationLetter", pb.GetAuthorizationLetterRequest(partner_id=partner), system)
    assert not got.HasField("letter") and got.no_letter_reason == refused.reason == "CONTRACT_NOT_ACCEPTED"


async def test_only_the_parts_asked_for_are_filled(shared_api: StatusApi, partner: str) -> None:
    got = await _snapshot(
        shared_api,
        pb.GetPartnerSnapshotRequest(partner_id=partner, parts=[pb.SNAPSHOT_PART_STATUS, pb.SNAPSHOT_PART_EMPLOYEES]),
    )
    assert got.status.partner_id == partner and len(got.employees) == 1
    assert not got.HasField("partner") and not got.HasField("card") and not got.HasField("discount")
    assert not got.no_letter_reason and not got.leads


async def test_the_card_phone_is_whole_only_on_behalf_of_the_partners_own_login(
    shared_api: StatusApi, partner: str
) -> None:
    """R-PD-01: the gateway (a system) sees masks; on behalf of the partner's main user the
    phone is whole; on behalf of another partner's login it stays masked."""
    api = shared_api
    request = pb.GetPartnerSnapshotRequest(partner_id=partner, parts=[pb.SNAPSHOT_PART_CARD])
    main = api.tokens.partner_user(partner, PartnerRole.MAIN, subject="snapshot")
    other = api.tokens.partner_user("p-other", PartnerRole.MAIN, subject="ivan")
    as_system = (await _snapshot(api, request)).card
    own = (await _snapshot(api, request, main)).card
    foreign = (await _snapshot(api, request, other)).card
    assert (own.pending.content.phone, own.contacts_masked) == ("+380 67 765 4321", False)
    for masked in (as_system, foreign):
        assert (masked.pending.content.phone, masked.contacts_masked) == ("+*************21", True)


async def test_refusals(shared_api: StatusApi, partner: str) -> None:
    api = shared_api
    no_family = await api.refused("GetPartnerSnapshot", pb.GetPartnerSnapshotRequest(partner_id=partner))
    assert (no_family.code, no_family.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["discount_product_family"])
    unknown = await api.refused(
        "GetPartnerSnapshot", pb.GetPartnerSnapshotRequest(partner_id="nobody", parts=[pb.SNAPSHOT_PART_CARD])
    )
    assert unknown.code == grpc.StatusCode.NOT_FOUND
    # The gateway's read: a partner user asks the gateway, never this RPC.
    user = api.tokens.partner_user(partner, PartnerRole.MAIN, subject="snapshot")
    refused = await api.refused(
        "GetPartnerSnapshot", pb.GetPartnerSnapshotRequest(partner_id=partner, parts=[pb.SNAPSHOT_PART_CARD]), user
    )
    assert refused.code == grpc.StatusCode.PERMISSION_DENIED
