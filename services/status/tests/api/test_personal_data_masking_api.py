"""An applicant's contacts in staff views are masked unless the caller's role needs them (R-PD-01)."""

from __future__ import annotations

import pytest
from status_api_support import StatusApi, applicant

from partnerprogram.status.v1 import status_service_pb2 as pb
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
