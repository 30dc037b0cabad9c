"""RunDailyStatusReview takes an explicit Kyiv date, for CronJobs and operators re-running a day."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

import pytest
from status_api_support import StatusApi, applicant

from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.db import Database
from ppcore.errors import FailedPrecondition
from ppcore.policy import load_policy
from ppcore.testing.polling import eventually
from status_service.adapters.orm import platform_tables
from status_service.adapters.uow import StatusUnitOfWork
from status_service.service_layer.daily import await_points_totals, totals_read_by_review

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


async def test_the_embedded_review_of_a_date_waits_for_the_points_totals_it_reads(api: StatusApi) -> None:
    """Issue 11 / R-PTS-05: in one long move of program time each service catches up its own
    dates; status's review of a date starts only once points' DailyTotalsCompleted of the
    evening before has arrived (it follows that date's totals on points' stream)."""
    db = Database(api.engine.url.render_as_string(hide_password=False))
    uow_factory = partial(StatusUnitOfWork, db, platform_tables, source="status", naming=api.naming, clock=api.clock)
    policy = load_policy()
    review_day = api.clock.now().date() + timedelta(days=3)
    needed = totals_read_by_review(review_day, 0, 10, policy)
    assert needed == review_day - timedelta(days=1)  # 00:10 reads the totals of 23:00 the evening before
    assert totals_read_by_review(review_day, 23, 30, policy) == review_day
    try:
        with pytest.raises(FailedPrecondition) as pending:
            await await_points_totals(uow_factory, needed, wait_seconds=0.3)
        assert pending.value.reason == "POINTS_TOTALS_PENDING"

        earlier = needed - timedelta(days=1)
        await api.publish(points_events.DailyTotalsCompleted(business_date=earlier.isoformat()), source="points")

        async def received_one() -> bool:
            return await api.count("points_totals_received") == 1

        await eventually(received_one)
        with pytest.raises(FailedPrecondition):  # an earlier date's totals are not enough
            await await_points_totals(uow_factory, needed, wait_seconds=0.3)

        waiting = asyncio.create_task(await_points_totals(uow_factory, needed, wait_seconds=60))
        await api.publish(points_events.DailyTotalsCompleted(business_date=needed.isoformat()), source="points")
        await asyncio.wait_for(waiting, timeout=60)  # released by the event, well before its own limit
        await await_points_totals(uow_factory, earlier, wait_seconds=0)  # a later date's totals cover earlier ones
    finally:
        await db.engine.dispose()
