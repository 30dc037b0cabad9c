"""Application moderation over real gRPC: listing, asking for more, answering, rejecting (R-PRT-02..04)."""

from __future__ import annotations

import pytest
from status_api_support import StatusApi, applicant

from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _apply(api: StatusApi, login: str) -> str:
    created = await api.call(
        "CreateApplication",
        pb.CreateApplicationRequest(request_id=f"c-{login}", data=applicant(login)),
        api.tokens.system(),
    )
    return str(created.application.application_id)


async def test_staff_ask_for_more_the_applicant_answers_and_staff_reject(api: StatusApi) -> None:
    """R-PRT-03: staff review an application, may request more information (it waits in
    INFO_REQUESTED), the applicant provides it (back UNDER_REVIEW), staff reject it with a
    reason: no partner is created; the list filters by state."""
    first = await _apply(api, "olena")
    second = await _apply(api, "taras")

    asked = await api.call(
        "RequestApplicationInfo",
        pb.RequestApplicationInfoRequest(
            request_id="ri1", application_id=first, note="add your website", staff_login="anna"
        ),
    )
    assert asked.application.state == partner_pb2.APPLICATION_STATE_INFO_REQUESTED
    waiting = await api.call(
        "ListApplications", pb.ListApplicationsRequest(state=partner_pb2.APPLICATION_STATE_INFO_REQUESTED)
    )
    assert [a.application_id for a in waiting.applications] == [first]

    answered = await api.call(
        "ProvideApplicationInfo",
        pb.ProvideApplicationInfoRequest(
            request_id="pi1", application_id=first, data=applicant("olena", company_name="Webstudio Plus LLC")
        ),
        api.tokens.system(),
    )
    assert answered.application.state == partner_pb2.APPLICATION_STATE_UNDER_REVIEW
    assert answered.application.data.company_name == "Webstudio Plus LLC"

    rejected = await api.call(
        "RejectApplication",
        pb.RejectApplicationRequest(
            request_id="rj1", application_id=second, reason="no web activity", staff_login="anna"
        ),
    )
    assert rejected.application.state == partner_pb2.APPLICATION_STATE_REJECTED
    assert await api.count("partners") == 0
    # A decided application cannot be decided again.
    again = await api.refused(
        "RequestApplicationInfo",
        pb.RequestApplicationInfoRequest(request_id="ri2", application_id=second, note="?", staff_login="anna"),
    )
    assert again.code.name == "FAILED_PRECONDITION"

    under_review = await api.call(
        "ListApplications", pb.ListApplicationsRequest(state=partner_pb2.APPLICATION_STATE_UNDER_REVIEW)
    )
    assert [a.application_id for a in under_review.applications] == [first]
    everything = await api.call("ListApplications", pb.ListApplicationsRequest(page_size=1))
    assert len(everything.applications) == 1 and everything.next_page_token
    rest = await api.call(
        "ListApplications", pb.ListApplicationsRequest(page_size=1, page_token=everything.next_page_token)
    )
    assert {everything.applications[0].application_id, rest.applications[0].application_id} == {first, second}
