"""The whole partner lifecycle over real gRPC, PostgreSQL and NATS: application to termination."""

from __future__ import annotations

from datetime import timedelta

import pytest
from status_api_support import UKRAINIAN_REQUISITES, StatusApi, applicant, record_certificates

from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import card_pb2, employee_pb2, entitlement_pb2, events_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_partner_lifecycle_from_application_to_termination(api: StatusApi) -> None:
    """R-PRT-02..07, R-EMP-01/02/06, R-STS-01/02/04/06, R-ENT-01/02, R-CARD-01/02, R-PTS-05."""
    tokens = api.tokens
    # R-PRT-02/03: the partner site submits the questionnaire; staff approve it.
    created = await api.call(
        "CreateApplication", pb.CreateApplicationRequest(request_id="c1", data=applicant()), tokens.system()
    )
    application_id = created.application.application_id
    assert created.application.state == partner_pb2.APPLICATION_STATE_UNDER_REVIEW
    approve = pb.ApproveApplicationRequest(request_id="a1", application_id=application_id, staff_login="anna")
    approved = await api.call("ApproveApplication", approve)
    again = await api.call("ApproveApplication", approve)  # idempotent retry: same answer, one partner
    assert again == approved
    assert await api.count("partners") == 1
    partner = approved.partner
    pid = partner.partner_id
    # R-PRT-04 / R-STS-01: a Business partner, the applicant as its main user (R-EMP-01).
    assert partner.tier == status_pb2.PARTNER_TIER_BUSINESS
    assert partner.main_login == "olena"
    main = tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")

    # R-ENT-01: approval concluded the standard contract: 40 % before the application is accepted.
    check = pb.CheckDiscountEntitlementRequest(buyer_login="olena", product_family="SITE_MANAGEMENT")
    answer = await api.call("CheckDiscountEntitlement", check, tokens.sales_platform())
    assert (answer.allowed, answer.discount_percent, answer.reason) == (
        True,
        40,
        entitlement_pb2.ENTITLEMENT_REASON_ENTITLED,
    )

    # R-PRT-05: contract application in Ukrainian, staff accept, the letter exists only then.
    letter_refused = await api.refused("GetAuthorizationLetter", pb.GetAuthorizationLetterRequest(partner_id=pid), main)
    assert letter_refused.reason == "CONTRACT_NOT_ACCEPTED"
    filed = await api.call(
        "FileContractApplication",
        pb.FileContractApplicationRequest(request_id="f1", partner_id=pid, requisites=UKRAINIAN_REQUISITES),
        main,
    )
    contract_id = filed.contract.contract_id
    await api.call(
        "AcceptContractApplication",
        pb.AcceptContractApplicationRequest(request_id="ac1", partner_id=pid, contract_id=contract_id),
    )
    letter = await api.call("GetAuthorizationLetter", pb.GetAuthorizationLetterRequest(partner_id=pid), main)
    assert letter.letter.contract_id == contract_id

    answer = await api.call("CheckDiscountEntitlement", check, tokens.sales_platform())
    assert (answer.allowed, answer.discount_percent, answer.reason) == (
        True,
        40,
        entitlement_pb2.ENTITLEMENT_REASON_ENTITLED,
    )
    bitrix = pb.CheckDiscountEntitlementRequest(partner_id=pid, product_family="BITRIX24_CLOUD")
    answer = await api.call("CheckDiscountEntitlement", bitrix, tokens.staff())
    assert answer.reason == entitlement_pb2.ENTITLEMENT_REASON_PRODUCT_NOT_ELIGIBLE  # R-STS-06
    assert answer.staff_query  # R-ENT-01: by partner id, no buyer checked

    # R-EMP-01/02: the main user attaches a full-rights employee and two specialists.
    for login, role in (
        ("petro", employee_pb2.ROLE_FULL),
        ("ivan", employee_pb2.ROLE_CERTIFIED_SPECIALIST),
        ("maria", employee_pb2.ROLE_LIMITED),
    ):
        await api.call(
            "AttachEmployee",
            pb.AttachEmployeeRequest(request_id=f"at-{login}", partner_id=pid, login=login, role=role),
            main,
        )
    # R-ENT-02: a limited employee may not buy at the discount.
    limited = await api.call(
        "CheckDiscountEntitlement",
        pb.CheckDiscountEntitlementRequest(buyer_login="maria", product_family="SITE_MANAGEMENT"),
        tokens.sales_platform(),
    )
    assert limited.reason == entitlement_pb2.ENTITLEMENT_REASON_NO_PURCHASE_RIGHT
    # R-EMP-06: certificates of attached logins count.
    await record_certificates(api, ("petro", "ivan"), ("SM_ADMINISTRATOR", "SM_DEVELOPER"))

    # R-PTS-05 -> R-STS-04: the daily total from points (on real JetStream) upgrades to Certified.
    await api.publish(
        points_events.ActiveTotalChanged(partner_id=pid, business_date="2026-03-02", total_points="100"),
        source="points",
        partner_id=pid,
    )

    async def certified() -> bool:
        got = await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid), main)
        return bool(got.status.tier == status_pb2.PARTNER_TIER_CERTIFIED)

    await eventually(certified)
    status = (await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid), main)).status
    assert (status.active_points, status.certified_specialists, status.discount_percent) == (100, 2, 45)
    assert status.valid_until_date == "2027-03-02"  # R-STS-05: one year from the grant
    assert status.checklist.next_tier == status_pb2.PARTNER_TIER_GOLD
    history = await api.call("ListStatusHistory", pb.ListStatusHistoryRequest(partner_id=pid), main)
    assert [e.to_tier for e in history.entries] == [status_pb2.PARTNER_TIER_CERTIFIED, status_pb2.PARTNER_TIER_BUSINESS]
    answer = await api.call("CheckDiscountEntitlement", check, tokens.sales_platform())
    assert answer.discount_percent == 45

    # R-CARD-02: a card change waits for moderation; R-CARD-01: eligibility names what is missing.
    content = card_pb2.CardContent(
        description="Sites", logo_ref="logo.png", phone="+380 44 123 4567", website_url="https://web.ua"
    )
    proposed = await api.call(
        "ProposeCardChange", pb.ProposeCardChangeRequest(request_id="p1", partner_id=pid, content=content), main
    )
    card = await api.call("GetPartnerCard", pb.GetPartnerCardRequest(partner_id=pid), main)
    assert card.card.published.description == ""
    await api.call(
        "ApproveCardChange",
        pb.ApproveCardChangeRequest(request_id="ap1", partner_id=pid, revision_id=proposed.revision.revision_id),
    )
    eligibility = await api.call("GetPublicListEligibility", pb.GetPublicListEligibilityRequest(partner_id=pid), main)
    assert list(eligibility.eligibility.missing_items) == [
        card_pb2.CARD_ITEM_PUBLISH_ON_SITE,
        card_pb2.CARD_ITEM_OFFICE_ADDRESS,
    ]

    # R-PRT-06: the partner's notice, at least one month ahead; effective on its date (R-PRT-07).
    notice = api.clock.now().date()
    effective = notice + timedelta(days=35)
    too_soon = await api.refused(
        "TerminatePartner",
        pb.TerminatePartnerRequest(
            request_id="t0",
            partner_id=pid,
            form=partner_pb2.TERMINATION_FORM_PARTNER_NOTICE,
            notice_date=notice.isoformat(),
            effective_date=(notice + timedelta(days=20)).isoformat(),
        ),
    )
    assert (too_soon.reason, too_soon.rule, too_soon.fields) == (
        "TERMINATION_NOTICE_TOO_SHORT",
        "R-PRT-06",
        ["effective_date"],
    )
    await api.call(
        "TerminatePartner",
        pb.TerminatePartnerRequest(
            request_id="t1",
            partner_id=pid,
            form=partner_pb2.TERMINATION_FORM_PARTNER_NOTICE,
            notice_date=notice.isoformat(),
            effective_date=effective.isoformat(),
            reason="closing the business",
        ),
    )
    answer = await api.call("CheckDiscountEntitlement", check, tokens.sales_platform())
    assert answer.allowed  # still a partner until the effective date

    api.clock.advance(timedelta(days=35))
    review = await api.call("RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="d1"), tokens.system())
    assert review.reviewed_partners == 1
    answer = await api.call("CheckDiscountEntitlement", check, tokens.sales_platform())
    assert (answer.allowed, answer.reason) == (False, entitlement_pb2.ENTITLEMENT_REASON_TERMINATED)  # R-PRT-07
    letter_gone = await api.refused("GetAuthorizationLetter", pb.GetAuthorizationLetterRequest(partner_id=pid), main)
    assert letter_gone.reason == "PARTNER_TERMINATED"

    # Events through the outbox on the status stream.
    for event_type, expect in (
        (events_pb2.PartnerApproved, 1),
        (events_pb2.ContractAccepted, 1),
        (events_pb2.EmployeeAttached, 4),
        (events_pb2.CertificateRecorded, 4),
        (events_pb2.StatusChanged, 2),
        (events_pb2.CardPublished, 1),
        (events_pb2.TerminationScheduled, 1),
        (events_pb2.PartnerTerminated, 1),
    ):
        found = await api.published(event_type.DESCRIPTOR.full_name, expect=expect)
        assert len(found) == expect, event_type.DESCRIPTOR.full_name
    terminated = events_pb2.PartnerTerminated()
    (await api.published(events_pb2.PartnerTerminated.DESCRIPTOR.full_name))[0].payload.Unpack(terminated)
    assert (terminated.partner_id, terminated.effective_date) == (pid, effective.isoformat())
