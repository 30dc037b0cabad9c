"""Program-document fidelity over real gRPC, PostgreSQL and JetStream: what a user of the status service sees.

Gold participation ever (R-STS-03), a downgrade that ends (R-SAN-02, R-STS-04), the
directory's Large corporate badge (R-CMP-02/04), the discount from approval and the named
buyer (R-ENT-01/02, R-STS-06), back-dated notices and future certificates (R-PRT-06,
R-EMP-06), leads moderated before distribution to one canonical city (R-LEAD-01/02).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from status_api_support import StatusApi, approved_partner, publish_monitoring_completed, record_certificates

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import (
    card_pb2,
    employee_pb2,
    entitlement_pb2,
    events_pb2,
    lead_pb2,
    partner_pb2,
    status_pb2,
)
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

GOLD_COURSES = ("SM_CONTENT_MANAGER", "SM_ADMINISTRATOR", "SM_DEVELOPER", "B24_INTEGRATOR")


async def _tier(api: StatusApi, pid: str) -> int:
    return int((await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid))).status.tier)


async def _gold_partner(api: StatusApi, *, monitored_years_ago: int) -> str:
    """Three Gold specialists, a project through monitoring years ago, then 500 points."""
    pid = await approved_partner(api)
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    for login in ("ivan", "petro", "maria"):
        await api.call(
            "AttachEmployee",
            pb.AttachEmployeeRequest(
                request_id=f"at-{login}", partner_id=pid, login=login, role=employee_pb2.ROLE_CERTIFIED_SPECIALIST
            ),
            main,
        )
    await record_certificates(api, ("ivan", "petro", "maria"), GOLD_COURSES)
    await publish_monitoring_completed(api, pid, api.clock.now() - timedelta(days=365 * monitored_years_ago))

    async def badge() -> bool:
        listed = await api.call("ListCompetencies", pb.ListCompetenciesRequest(partner_id=pid))
        return "QUALITY_MONITORING" in [c.code for c in listed.competencies]

    await eventually(badge)
    await api.publish(
        points_events.ActiveTotalChanged(partner_id=pid, business_date="2026-03-02", total_points="500"),
        source="points",
        partner_id=pid,
    )
    return pid


async def test_gold_counts_a_monitored_project_however_long_ago(api: StatusApi) -> None:
    """R-STS-03: "Необхідно бути учасником програми «Моніторинга якості впроваджень»" (2.1): a
    project through both stages three years ago makes the partner a participant; with 500
    points and Gold specialists it becomes Gold, and its checklist says "ever".
    """
    pid = await _gold_partner(api, monitored_years_ago=3)

    async def gold() -> bool:
        return await _tier(api, pid) == status_pb2.PARTNER_TIER_GOLD

    await eventually(gold)
    status = (await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid))).status
    assert status.discount_percent == 50


async def test_a_downgrade_caps_the_status_for_its_term_and_the_badge_follows(api: StatusApi) -> None:
    """R-SAN-02, R-STS-04, R-CMP-02/04: a downgrade to Certified with an end caps a Gold partner;
    the daily review keeps it at Certified while it runs although it meets Gold; Large
    corporate implementations stops showing (a suspended CompetencyRevoked for the directory);
    after the end the normal rules make it Gold again and the badge is resumed.
    """
    pid = await _gold_partner(api, monitored_years_ago=1)

    async def gold() -> bool:
        return await _tier(api, pid) == status_pb2.PARTNER_TIER_GOLD

    await eventually(gold)
    for code in ("COMPOSITE_SITE", "INTEGRATION_1C", "LARGE_CORPORATE"):
        await api.call(
            "GrantCompetency", pb.GrantCompetencyRequest(request_id=f"g-{code}", partner_id=pid, competency_code=code)
        )
    await api.publish(
        compliance_events.SanctionApplied(
            partner_id=pid,
            sanction_id="s-down",
            kind=sanction_pb2.SANCTION_KIND_STATUS_DOWNGRADE,
            start_date="2026-03-02",
            end_date="2026-06-02",
            parameters=sanction_pb2.SanctionParameters(target_tier=sanction_pb2.SANCTION_TARGET_TIER_CERTIFIED),
        ),
        source="compliance",
        partner_id=pid,
    )

    async def capped() -> bool:
        return await _tier(api, pid) == status_pb2.PARTNER_TIER_CERTIFIED

    await eventually(capped)
    listed = await api.call("ListCompetencies", pb.ListCompetenciesRequest(partner_id=pid))
    assert "LARGE_CORPORATE" not in [c.code for c in listed.competencies if c.active]
    revoked = await api.published(events_pb2.CompetencyRevoked.DESCRIPTOR.full_name)
    suspended = [events_pb2.CompetencyRevoked.FromString(e.payload.value) for e in revoked]
    assert [(r.code, r.suspended) for r in suspended] == [("LARGE_CORPORATE", True)]

    # While the cap runs, the daily review keeps the partner at Certified although it meets Gold.
    api.clock.advance(timedelta(days=45))
    await api.call("RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="d1"), api.tokens.system())
    assert await _tier(api, pid) == status_pb2.PARTNER_TIER_CERTIFIED

    # At its end the normal rules apply again (R-STS-04): Gold, and the badge shows again.
    api.clock.advance(timedelta(days=47))  # 2026-06-02
    await api.call("RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="d2"), api.tokens.system())
    assert await _tier(api, pid) == status_pb2.PARTNER_TIER_GOLD
    listed = await api.call("ListCompetencies", pb.ListCompetenciesRequest(partner_id=pid))
    assert "LARGE_CORPORATE" in [c.code for c in listed.competencies if c.active]
    granted = await api.published(events_pb2.CompetencyGranted.DESCRIPTOR.full_name, expect=5)
    resumed = [events_pb2.CompetencyGranted.FromString(e.payload.value) for e in granted]
    assert [g.code for g in resumed if g.resumed] == ["LARGE_CORPORATE"]


async def test_discount_from_approval_on_mobile_app_and_the_buyer_is_named(api: StatusApi) -> None:
    """R-ENT-01/02, R-STS-06: right after approval (no contract application yet) the main user
    buys "Site Management", "Mobile App" and solutions at 40 %, never the Bitrix24 box; the
    sales platform must name the buyer; staff asking by partner id get an answer marked as a
    staff query; the authorization letter still waits for the accepted application.
    """
    pid = await approved_partner(api)
    sales = api.tokens.sales_platform()
    for family, allowed in (
        ("SITE_MANAGEMENT", True),
        ("MOBILE_APP", True),
        ("SOLUTIONS", True),
        ("BITRIX24_BOX", False),
    ):
        answer = await api.call(
            "CheckDiscountEntitlement",
            pb.CheckDiscountEntitlementRequest(buyer_login="olena", product_family=family),
            sales,
        )
        assert (answer.allowed, answer.discount_percent if allowed else 0, answer.staff_query) == (
            allowed,
            40 if allowed else 0,
            False,
        ), family
    by_partner = pb.CheckDiscountEntitlementRequest(partner_id=pid, product_family="MOBILE_APP")
    refused = await api.refused("CheckDiscountEntitlement", by_partner, sales)
    assert (refused.reason, refused.rule, refused.fields) == ("BUYER_REQUIRED", "R-ENT-01", ["buyer_login"])
    staff_answer = await api.call("CheckDiscountEntitlement", by_partner)
    assert (staff_answer.allowed, staff_answer.staff_query) == (True, True)
    assert staff_answer.reason == entitlement_pb2.ENTITLEMENT_REASON_ENTITLED
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    letter = await api.refused("GetAuthorizationLetter", pb.GetAuthorizationLetterRequest(partner_id=pid), main)
    assert letter.reason == "CONTRACT_NOT_ACCEPTED"


async def test_a_back_dated_notice_is_refused_and_a_notice_counts_from_today(api: StatusApi) -> None:
    """R-PRT-06: a partner's notice dated years back is refused (it would take effect at once);
    without a date it is given today in program time and the month counts from then.
    """
    pid = await approved_partner(api)
    back_dated = await api.refused(
        "TerminatePartner",
        pb.TerminatePartnerRequest(
            request_id="t0",
            partner_id=pid,
            form=partner_pb2.TERMINATION_FORM_PARTNER_NOTICE,
            notice_date="2023-01-10",
            effective_date="2023-02-10",
        ),
    )
    assert (back_dated.reason, back_dated.rule, back_dated.fields) == (
        "NOTICE_DATE_IN_PAST",
        "R-PRT-06",
        ["notice_date"],
    )
    facts = await api.call("GetPartnerFacts", pb.GetPartnerFactsRequest(partner_id=pid), api.tokens.system())
    assert not facts.terminated
    scheduled = await api.call(
        "TerminatePartner",
        pb.TerminatePartnerRequest(
            request_id="t1",
            partner_id=pid,
            form=partner_pb2.TERMINATION_FORM_PARTNER_NOTICE,
            effective_date="2026-04-02",
        ),
    )
    assert (scheduled.termination.notice_date, scheduled.termination.effective_date) == ("2026-03-02", "2026-04-02")


async def test_a_certificate_dated_in_the_future_is_refused(api: StatusApi) -> None:
    """R-EMP-06: a certificate dated after today (program time) is refused, not counted now."""
    await approved_partner(api)
    request = pb.RecordCertificateRequest(
        request_id="rc-future",
        certificate_id="cert-future",
        login="olena",
        course_code="SM_ADMINISTRATOR",
        issued_date="2026-03-03",
    )
    refused = await api.refused("RecordCertificate", request, api.tokens.system())
    assert (refused.reason, refused.rule, refused.fields) == (
        "CERTIFICATE_DATED_IN_FUTURE",
        "R-EMP-06",
        ["issued_date"],
    )
    assert await api.count("certificates") == 0


async def test_a_lead_is_moderated_then_offered_by_canonical_city_and_taken_by_a_leads_employee(api: StatusApi) -> None:
    """R-LEAD-01/02: a lead from "Kyiv" waits for moderation, is then offered to a Certified
    partner whose card office is in "м. Київ" (one canonical place) and taken by its
    Leads-group employee; an employee outside the group may not take it.
    """
    pid = await approved_partner(api)  # questionnaire city: Lviv
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    for login, groups in (("sales", [employee_pb2.ACCESS_GROUP_LEADS]), ("dev", [])):
        await api.call(
            "AttachEmployee",
            pb.AttachEmployeeRequest(
                request_id=f"at-{login}",
                partner_id=pid,
                login=login,
                role=employee_pb2.ROLE_FULL,
                access_groups=groups,
            ),
            main,
        )
    await record_certificates(api, ("sales", "dev"), ("SM_ADMINISTRATOR", "SM_DEVELOPER"))
    await api.publish(
        points_events.ActiveTotalChanged(partner_id=pid, business_date="2026-03-02", total_points="100"),
        source="points",
        partner_id=pid,
    )

    async def certified() -> bool:
        return await _tier(api, pid) == status_pb2.PARTNER_TIER_CERTIFIED

    await eventually(certified)
    office = card_pb2.CardContent(office_address="вул. Хрещатик, 1", office_city="м. Київ")
    proposed = await api.call(
        "ProposeCardChange", pb.ProposeCardChangeRequest(request_id="p1", partner_id=pid, content=office), main
    )
    await api.call(
        "ApproveCardChange",
        pb.ApproveCardChangeRequest(request_id="ap1", partner_id=pid, revision_id=proposed.revision.revision_id),
    )

    for spelling in ("Київ", "Kyiv", "м. Київ"):
        found = await api.call("ListPartners", pb.ListPartnersRequest(city=spelling))
        assert [p.partner_id for p in found.partners] == [pid], spelling
    assert not (await api.call("ListPartners", pb.ListPartnersRequest(city="Lviv"))).partners

    received = (
        await api.call(
            "ReceiveLead",
            pb.ReceiveLeadRequest(request_id="l1", city="Kyiv", description="An online shop"),
            api.tokens.system(),
        )
    ).lead
    assert (received.state, received.city_key) == (lead_pb2.LEAD_STATE_RECEIVED, "kyiv")
    too_early = await api.refused("OfferLead", pb.OfferLeadRequest(request_id="o0", lead_id=received.lead_id))
    assert (too_early.reason, too_early.rule) == ("LEAD_STATE", "R-LEAD-01")
    moderated = await api.call(
        "ModerateLead", pb.ModerateLeadRequest(request_id="m1", lead_id=received.lead_id, approve=True)
    )
    assert moderated.lead.state == lead_pb2.LEAD_STATE_MODERATED
    offered = (await api.call("OfferLead", pb.OfferLeadRequest(request_id="o1", lead_id=received.lead_id))).lead
    assert [(o.partner_id, o.delivery) for o in offered.offers] == [(pid, entitlement_pb2.LEAD_DELIVERY_OWN_CITY)]

    dev = api.tokens.partner_user(pid, PartnerRole.FULL, subject="dev")
    outside = await api.refused(
        "TakeLead", pb.TakeLeadRequest(request_id="t0", lead_id=received.lead_id, partner_id=pid), dev
    )
    assert (outside.reason, outside.rule) == ("NOT_IN_LEADS_GROUP", "R-LEAD-02")
    sales = api.tokens.partner_user(pid, PartnerRole.FULL, subject="sales", groups=frozenset({"LEADS"}))
    taken = (
        await api.call("TakeLead", pb.TakeLeadRequest(request_id="t1", lead_id=received.lead_id, partner_id=pid), sales)
    ).lead
    assert (taken.state, taken.taken_by_partner_id, taken.taken_by_login) == (lead_pb2.LEAD_STATE_TAKEN, pid, "sales")
    listed = await api.call("ListLeads", pb.ListLeadsRequest(partner_id=pid), sales)
    assert [lead.lead_id for lead in listed.leads] == [received.lead_id]
