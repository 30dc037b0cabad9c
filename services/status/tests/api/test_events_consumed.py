"""Events from compliance and points on real JetStream change what the status service answers."""

from __future__ import annotations

import pytest
from status_api_support import UKRAINIAN_REQUISITES, StatusApi, approved_partner, publish_monitoring_completed

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.status.v1 import entitlement_pb2, events_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _contracted_partner(api: StatusApi) -> str:
    pid = await approved_partner(api)
    filed = await api.call(
        "FileContractApplication",
        pb.FileContractApplicationRequest(
            request_id="f", partner_id=pid, requisites=UKRAINIAN_REQUISITES, actor_login="olena"
        ),
        api.tokens.system(),
    )
    await api.call(
        "AcceptContractApplication",
        pb.AcceptContractApplicationRequest(request_id="a", partner_id=pid, contract_id=filed.contract.contract_id),
    )
    return pid


async def test_discount_block_sanction_blocks_the_discount_until_its_end_and_lifting_restores_it(
    api: StatusApi,
) -> None:
    """R-SAN-07 / R-ENT-01: DISCOUNT_BLOCK -> DISCOUNT_BLOCKED with the until date; lifted -> entitled."""
    pid = await _contracted_partner(api)
    check = pb.CheckDiscountEntitlementRequest(buyer_login="olena", product_family="SITE_MANAGEMENT")
    sales = api.tokens.sales_platform()
    assert (await api.call("CheckDiscountEntitlement", check, sales)).allowed

    await api.publish(
        compliance_events.SanctionApplied(
            partner_id=pid,
            sanction_id="s1",
            kind=sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK,
            start_date="2026-03-01",
            end_date="2026-06-01",
            case_id="case-1",
        ),
        source="compliance",
        partner_id=pid,
    )

    async def blocked() -> bool:
        answer = await api.call("CheckDiscountEntitlement", check, sales)
        return bool(answer.reason == entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED)

    await eventually(blocked)
    answer = await api.call("CheckDiscountEntitlement", check, sales)
    assert (answer.allowed, answer.discount_percent, answer.blocked_until_date) == (False, 0, "2026-06-01")

    await api.publish(
        compliance_events.SanctionLifted(
            partner_id=pid,
            sanction_id="s1",
            kind=sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK,
            lift_reason=sanction_pb2.SANCTION_LIFT_REASON_EARLY_BY_STAFF,
        ),
        source="compliance",
        partner_id=pid,
    )

    async def entitled() -> bool:
        answer = await api.call("CheckDiscountEntitlement", check, sales)
        return bool(answer.reason == entitlement_pb2.ENTITLEMENT_REASON_ENTITLED)

    await eventually(entitled)
    assert (await api.call("CheckDiscountEntitlement", check, sales)).discount_percent == 40


async def test_contract_termination_sanction_terminates_the_partner(api: StatusApi) -> None:
    """R-SAN-09 / R-PRT-06: termination by the program's decision, with PartnerTerminated."""
    pid = await _contracted_partner(api)
    await api.publish(
        compliance_events.SanctionApplied(
            partner_id=pid,
            sanction_id="s9",
            kind=sanction_pb2.SANCTION_KIND_CONTRACT_TERMINATION,
            start_date="2026-03-02",
        ),
        source="compliance",
        partner_id=pid,
    )

    async def terminated() -> bool:
        facts = await api.call("GetPartnerFacts", pb.GetPartnerFactsRequest(partner_id=pid), api.tokens.system())
        return bool(facts.terminated)

    await eventually(terminated)
    found = await api.published(events_pb2.PartnerTerminated.DESCRIPTOR.full_name)
    assert len(found) == 1


async def test_monitoring_completion_grants_the_quality_badge(api: StatusApi) -> None:
    """R-CMP-03 / R-QM-05: the badge follows monitoring results from points."""
    pid = await approved_partner(api)
    await publish_monitoring_completed(api, pid, api.clock.now())

    async def badge() -> bool:
        listed = await api.call("ListCompetencies", pb.ListCompetenciesRequest(partner_id=pid))
        return [c.code for c in listed.competencies] == ["QUALITY_MONITORING"]

    await eventually(badge)


async def test_erasure_request_anonymises_contacts_and_keeps_history(api: StatusApi) -> None:
    """R-PD-03: contacts are erased; the application, partner and history stay."""
    pid = await approved_partner(api)
    await api.publish(
        compliance_events.PersonalDataErasureRequested(
            partner_id=pid, personal_data_request_id="pd1", subject_login="olena", subject_email="olena@example.ua"
        ),
        source="compliance",
        partner_id=pid,
    )
    partner = (await api.call("GetPartner", pb.GetPartnerRequest(partner_id=pid))).partner

    async def erased() -> bool:
        got = await api.call("GetApplication", pb.GetApplicationRequest(application_id=partner.application_id))
        return bool(got.application.data.contact_email == "[erased]")

    await eventually(erased)
    application = (
        await api.call("GetApplication", pb.GetApplicationRequest(application_id=partner.application_id))
    ).application
    assert (application.data.contact_name, application.data.contact_phone) == ("[erased]", "[erased]")
    assert application.data.company_name == "Webstudio LLC"
    history = await api.call("ListStatusHistory", pb.ListStatusHistoryRequest(partner_id=pid))
    assert len(history.entries) == 1
