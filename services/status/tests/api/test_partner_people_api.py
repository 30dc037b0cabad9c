"""A partner's people, contract, card, competencies and status over real gRPC: the RPCs a
partner's year goes through besides the main lifecycle (R-EMP, R-PRT-05, R-CARD-02,
R-CMP, R-STS-07/08, R-LEAD-01/02)."""

from __future__ import annotations

import pytest
from status_api_support import UKRAINIAN_REQUISITES, StatusApi, approved_partner

from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import card_pb2, employee_pb2, entitlement_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _attach(api: StatusApi, pid: str, login: str, role: int, token: str) -> None:
    await api.call(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id=f"at-{login}", partner_id=pid, login=login, role=role),
        token,
    )


async def _certify(api: StatusApi, login: str, course: str) -> None:
    await api.call(
        "RecordCertificate",
        pb.RecordCertificateRequest(
            request_id=f"rc-{login}-{course}",
            certificate_id=f"cert-{login}-{course}",
            login=login,
            course_code=course,
            issued_date="2026-02-01",
        ),
        api.tokens.system(),
    )


async def test_employees_access_groups_certificates_and_detaching(api: StatusApi) -> None:
    """R-EMP-02/05/06: a full-rights employee may buy and edit but not attach full rights;
    the Leads group adds taking leads; a revoked certificate and a detached login stop counting."""
    pid = await approved_partner(api)
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    await _attach(api, pid, "petro", employee_pb2.ROLE_FULL, main)
    await _attach(api, pid, "ivan", employee_pb2.ROLE_CERTIFIED_SPECIALIST, main)

    access = await api.call("GetAccess", pb.GetAccessRequest(login="petro"), api.tokens.system())
    assert (access.partner_id, access.role) == (pid, employee_pb2.ROLE_FULL)
    assert employee_pb2.PERMISSION_BUY_AT_DISCOUNT in access.permissions
    assert employee_pb2.PERMISSION_EDIT_CARD in access.permissions
    assert employee_pb2.PERMISSION_ATTACH_FULL not in access.permissions
    assert employee_pb2.PERMISSION_TAKE_LEADS not in access.permissions

    grouped = await api.call(
        "SetEmployeeAccessGroups",
        pb.SetEmployeeAccessGroupsRequest(
            request_id="g1", partner_id=pid, login="petro", access_groups=[employee_pb2.ACCESS_GROUP_LEADS]
        ),
        main,
    )
    assert list(grouped.employee.access_groups) == [employee_pb2.ACCESS_GROUP_LEADS]
    access = await api.call("GetAccess", pb.GetAccessRequest(login="petro"), api.tokens.system())
    assert employee_pb2.PERMISSION_TAKE_LEADS in access.permissions

    for course in ("SM_ADMINISTRATOR", "SM_DEVELOPER"):
        await _certify(api, "ivan", course)
    listed = await api.call("ListCertificates", pb.ListCertificatesRequest(login="ivan"))
    assert sorted(c.course_code for c in listed.certificates) == ["SM_ADMINISTRATOR", "SM_DEVELOPER"]

    async def specialists() -> int:
        got = await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid), main)
        return int(got.status.certified_specialists)

    assert await specialists() == 1
    revoked = await api.call(
        "RevokeCertificate",
        pb.RevokeCertificateRequest(request_id="rv1", certificate_id="cert-ivan-SM_DEVELOPER", reason="exam annulled"),
        api.tokens.system(),
    )
    assert revoked.certificate.revoke_reason == "exam annulled" and revoked.certificate.HasField("revoke_time")
    assert await specialists() == 0

    for course in ("SM_ADMINISTRATOR", "SM_DEVELOPER"):
        await _certify(api, "petro", course)
    assert await specialists() == 1
    detached = await api.call(
        "DetachEmployee", pb.DetachEmployeeRequest(request_id="d1", partner_id=pid, login="petro"), main
    )
    assert detached.employee.login == "petro"
    assert await api.employee_count(pid) == 2  # olena and ivan
    assert await specialists() == 0
    gone = await api.call("GetAccess", pb.GetAccessRequest(login="petro"), api.tokens.system())
    assert (gone.partner_id, list(gone.permissions)) == ("", [])  # a detached login has no partner rights


async def test_refused_contract_and_rejected_card_change_leave_nothing_published(api: StatusApi) -> None:
    """R-PRT-05: a refused contract application gives no authorization letter; R-CARD-02: a
    rejected card change never reaches the published card."""
    pid = await approved_partner(api)
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    filed = await api.call(
        "FileContractApplication",
        pb.FileContractApplicationRequest(request_id="f1", partner_id=pid, requisites=UKRAINIAN_REQUISITES),
        main,
    )
    refused = await api.call(
        "RefuseContractApplication",
        pb.RefuseContractApplicationRequest(
            request_id="rf1", partner_id=pid, contract_id=filed.contract.contract_id, reason="IBAN does not match"
        ),
    )
    assert refused.contract.state == partner_pb2.CONTRACT_STATE_REFUSED
    assert refused.contract.refusal_reason == "IBAN does not match"
    letter = await api.refused("GetAuthorizationLetter", pb.GetAuthorizationLetterRequest(partner_id=pid), main)
    assert letter.reason == "CONTRACT_NOT_ACCEPTED"

    proposed = await api.call(
        "ProposeCardChange",
        pb.ProposeCardChangeRequest(
            request_id="p1", partner_id=pid, content=card_pb2.CardContent(description="The best studio in the world")
        ),
        main,
    )
    rejected = await api.call(
        "RejectCardChange",
        pb.RejectCardChangeRequest(
            request_id="rj1", partner_id=pid, revision_id=proposed.revision.revision_id, note="no superlatives"
        ),
    )
    assert rejected.revision.state == card_pb2.CARD_REVISION_STATE_REJECTED
    assert rejected.revision.moderator_note == "no superlatives"
    card = await api.call("GetPartnerCard", pb.GetPartnerCardRequest(partner_id=pid), main)
    assert card.card.published.description == ""


async def test_competencies_status_certificate_partner_list_and_lead_recipients(api: StatusApi) -> None:
    """R-CMP-02/03: staff grant and revoke competencies, Large corporate needs Gold;
    R-STS-04/07/08: a Certified partner evaluates to no change and gets its certificate;
    R-LEAD-01/02: it receives its own city's leads, taken by its Leads group."""
    pid = await approved_partner(api)
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    granted = await api.call(
        "GrantCompetency", pb.GrantCompetencyRequest(request_id="gc1", partner_id=pid, competency_code="COMPOSITE_SITE")
    )
    assert (granted.competency.code, granted.competency.active) == ("COMPOSITE_SITE", True)
    corporate = await api.refused(
        "GrantCompetency",
        pb.GrantCompetencyRequest(request_id="gc2", partner_id=pid, competency_code="LARGE_CORPORATE"),
    )
    assert (corporate.code.name, corporate.rule) == ("FAILED_PRECONDITION", "R-CMP-02")
    with_site = await api.call("ListPartners", pb.ListPartnersRequest(competency_code="COMPOSITE_SITE"))
    assert [p.partner_id for p in with_site.partners] == [pid]
    revoked = await api.call(
        "RevokeCompetency",
        pb.RevokeCompetencyRequest(request_id="rc1", partner_id=pid, competency_code="COMPOSITE_SITE", reason="lapsed"),
    )
    assert revoked.revoked
    assert not (await api.call("ListPartners", pb.ListPartnersRequest(competency_code="COMPOSITE_SITE"))).partners

    # Certified: 100 active points and two certified specialists (R-STS-04).
    for login in ("ivan", "petro"):
        await _attach(api, pid, login, employee_pb2.ROLE_CERTIFIED_SPECIALIST, main)
        for course in ("SM_ADMINISTRATOR", "SM_DEVELOPER"):
            await _certify(api, login, course)
    await _attach(api, pid, "maria", employee_pb2.ROLE_LIMITED, main)
    await api.call(
        "SetEmployeeAccessGroups",
        pb.SetEmployeeAccessGroupsRequest(
            request_id="g1", partner_id=pid, login="maria", access_groups=[employee_pb2.ACCESS_GROUP_LEADS]
        ),
        main,
    )
    await api.publish(
        points_events.ActiveTotalChanged(partner_id=pid, business_date="2026-03-02", total_points="100"),
        source="points",
        partner_id=pid,
    )

    async def certified() -> bool:
        got = await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid), main)
        return bool(got.status.tier == status_pb2.PARTNER_TIER_CERTIFIED)

    await eventually(certified)
    evaluated = await api.call(
        "EvaluatePartnerStatus", pb.EvaluatePartnerStatusRequest(request_id="ev1", partner_id=pid)
    )
    assert list(evaluated.entries) == [] and evaluated.status.tier == status_pb2.PARTNER_TIER_CERTIFIED
    certificate = await api.call("GetStatusCertificate", pb.GetStatusCertificateRequest(partner_id=pid), main)
    assert certificate.certificate.tier == status_pb2.PARTNER_TIER_CERTIFIED
    assert certificate.certificate.valid_until_date == evaluated.status.valid_until_date
    assert certificate.certificate.company_name == "Webstudio LLC"

    certified_list = await api.call("ListPartners", pb.ListPartnersRequest(tier=status_pb2.PARTNER_TIER_CERTIFIED))
    assert [p.partner_id for p in certified_list.partners] == [pid]
    assert not (await api.call("ListPartners", pb.ListPartnersRequest(tier=status_pb2.PARTNER_TIER_GOLD))).partners

    lviv = await api.call("ListLeadRecipients", pb.ListLeadRecipientsRequest(city="Lviv"))
    assert [(r.partner_id, r.delivery, list(r.lead_taker_logins)) for r in lviv.recipients] == [
        (pid, entitlement_pb2.LEAD_DELIVERY_OWN_CITY, ["maria"])
    ]
    odesa = await api.call("ListLeadRecipients", pb.ListLeadRecipientsRequest(city="Odesa"))
    assert all(r.delivery != entitlement_pb2.LEAD_DELIVERY_OWN_CITY for r in odesa.recipients)
