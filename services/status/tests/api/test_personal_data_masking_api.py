"""An applicant's contacts in staff views are masked unless the caller's role needs them (R-PD-01)."""

from __future__ import annotations

import grpc
import pytest
import sqlalchemy as sa
from status_api_support import StatusApi, applicant, approved_partner

from partnerprogram.compliance.v1 import personal_data_pb2
from partnerprogram.status.v1 import card_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole
from ppcore.personal_data import PERSONAL_DATA_GROUP

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_staff_see_applicant_contacts_only_when_their_role_needs_them(api: StatusApi) -> None:
    """R-PD-01: personal data "is shown only to those entitled to it": a moderator sees the
    applicant's contact person, e-mail and phone masked in GetApplication and ListApplications;
    staff in the PERSONAL_DATA group see them whole; the company data stays readable."""
    created = await api.call(
        "CreateApplication",
        pb.CreateApplicationRequest(request_id="c-olena", data=applicant("olena")),
        api.tokens.system(),
    )
    application_id = created.application.application_id
    dpo = api.tokens.staff("staff:dpo", groups=frozenset({PERSONAL_DATA_GROUP}))

    masked = (await api.call("GetApplication", pb.GetApplicationRequest(application_id=application_id))).application
    assert (masked.data.contact_name, masked.data.contact_email, masked.data.contact_phone) == (
        "O****",
        "o****@example.ua",
        "+*************67",
    )
    assert masked.data.company_name == applicant("olena").company_name
    listed = (await api.call("ListApplications", pb.ListApplicationsRequest())).applications
    assert [a.data.contact_email for a in listed] == ["o****@example.ua"]

    whole = (await api.call("GetApplication", pb.GetApplicationRequest(application_id=application_id), dpo)).application
    assert (whole.data.contact_email, whole.data.contact_phone) == ("olena@example.ua", "+380 44 123 4567")


async def test_card_phone_is_masked_for_staff_without_the_group_and_whole_for_the_partner(api: StatusApi) -> None:
    """R-PD-01: the partner card's phone (taken from the applicant's contact) is personal data
    "shown only to those entitled to it": a moderator sees it masked in GetPartnerCard and in the
    pending change; staff in the PERSONAL_DATA group and the partner's own login see it whole; the
    legal basis it is held on (annex 2.2, the parties' agreements) is stored and shown."""
    pid = await approved_partner(api)
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena")
    other = api.tokens.partner_user("p-other", PartnerRole.MAIN, subject="ivan")
    dpo = api.tokens.staff("staff:dpo", groups=frozenset({PERSONAL_DATA_GROUP}))
    proposed = await api.call(
        "ProposeCardChange",
        pb.ProposeCardChangeRequest(
            request_id="p1", partner_id=pid, content=card_pb2.CardContent(phone="+380 67 765 4321")
        ),
        main,
    )
    assert (proposed.revision.content.phone, proposed.revision.contacts_masked) == ("+380 67 765 4321", False)

    masked = (await api.call("GetPartnerCard", pb.GetPartnerCardRequest(partner_id=pid))).card
    assert (masked.published.phone, masked.pending.content.phone) == ("+*************67", "+*************21")
    assert masked.contacts_masked and masked.pending.contacts_masked
    assert masked.contacts_legal_basis == personal_data_pb2.LEGAL_BASIS_PARTIES_AGREEMENTS
    for whole_token in (dpo, main):
        whole = (await api.call("GetPartnerCard", pb.GetPartnerCardRequest(partner_id=pid), whole_token)).card
        assert (whole.published.phone, whole.pending.content.phone) == ("+380 44 123 4567", "+380 67 765 4321")
        assert not whole.contacts_masked
    refused = await api.refused("GetPartnerCard", pb.GetPartnerCardRequest(partner_id=pid), other)
    assert refused.code == grpc.StatusCode.PERMISSION_DENIED

    rejected = await api.call(
        "RejectCardChange",
        pb.RejectCardChangeRequest(
            request_id="rj1", partner_id=pid, revision_id=proposed.revision.revision_id, note="no"
        ),
    )
    assert (rejected.revision.content.phone, rejected.revision.contacts_masked) == ("+*************21", True)
    async with api.engine.connect() as conn:
        stored = await conn.scalar(
            sa.text("SELECT contacts_legal_basis FROM partners WHERE partner_id = :p"), {"p": pid}
        )
    assert stored == "PARTIES_AGREEMENTS"


async def test_employees_carry_the_stored_legal_basis_of_their_login(api: StatusApi) -> None:
    """R-PD-01: personal data "is held only with a legal basis": each attached login is stored with
    its basis (annex 2.2, the partner agreement) and ListEmployees shows it."""
    pid = await approved_partner(api)
    listed = (await api.call("ListEmployees", pb.ListEmployeesRequest(partner_id=pid))).employees
    assert [(e.login, e.legal_basis) for e in listed] == [("olena", personal_data_pb2.LEGAL_BASIS_PARTIES_AGREEMENTS)]
    async with api.engine.connect() as conn:
        stored = await conn.scalar(sa.text("SELECT legal_basis FROM employees WHERE login = 'olena'"))
    assert stored == "PARTIES_AGREEMENTS"
