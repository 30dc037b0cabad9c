"""RunDailyStatusReview takes an explicit Kyiv date, for CronJobs and operators re-running a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from status_api_support import StatusApi, applicant

from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_review_for_a_date_acts_as_of_that_date_and_refuses_the_future(api: StatusApi) -> None:
    """R-PRT-07: a termination takes effect on its date; reviewing the day before finds
    nothing due, reviewing the date itself completes it, once; a date after today is refused."""
    created = await api.call(
        "CreateApplication", pb.CreateApplicationRequest(request_id="c1", data=applicant()), api.tokens.system()
    )
    approved = await api.call(
        "ApproveApplication",
        pb.ApproveApplicationRequest(
            request_id="a1", application_id=created.application.application_id, staff_login="anna"
        ),
    )
    pid = approved.partner.partner_id
    notice = api.clock.now().date()
    effective = notice + timedelta(days=35)
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
    api.clock.advance(timedelta(days=40))

    day_before = await api.call(
        "RunDailyStatusReview",
        pb.RunDailyStatusReviewRequest(request_id="d0", business_date=(effective - timedelta(days=1)).isoformat()),
        api.tokens.system(),
    )
    assert (day_before.business_date, day_before.reviewed_partners) == ((effective - timedelta(days=1)).isoformat(), 0)

    on_the_day = await api.call(
        "RunDailyStatusReview",
        pb.RunDailyStatusReviewRequest(request_id="d1", business_date=effective.isoformat()),
        api.tokens.system(),
    )
    assert (on_the_day.business_date, on_the_day.reviewed_partners) == (effective.isoformat(), 1)
    again = await api.call(
        "RunDailyStatusReview",
        pb.RunDailyStatusReviewRequest(request_id="d1b", business_date=effective.isoformat()),
        api.tokens.system(),
    )
    assert again.reviewed_partners == 0  # idempotent per date: the termination is done

    future = (api.clock.now().date() + timedelta(days=2)).isoformat()
    refused = await api.refused(
        "RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="d2", business_date=future)
    )
    assert refused.reason == "DATE_IN_FUTURE"
    bad = await api.refused(
        "RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="d3", business_date="1.1.2027")
    )
    assert (bad.reason, bad.fields) == ("INVALID_DATE", ["business_date"])
