"""Daily active totals over real gRPC (R-PTS-05): one set-based run per date, safe to repeat, events for changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import grpc
import pytest

from partnerprogram.points.v1 import events_pb2 as ev
from partnerprogram.points.v1 import points_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def accrue(points, partner: str, source: str):
    request = pb.RecordMainAccrualRequest(
        request_id=f"acc-{source}", partner_id=partner, kind=pb.MAIN_ACCRUAL_KIND_MARKETPLACE_MODULE, source_id=source
    )
    return (await points.stub.RecordMainAccrual(request, metadata=points.system())).entry


async def run(points, rid: str, business_date: str = "") -> pb.RunDailyTotalsResponse:
    return await points.stub.RunDailyTotals(
        pb.RunDailyTotalsRequest(request_id=rid, business_date=business_date), metadata=points.system()
    )


async def test_daily_totals_store_every_partner_once_and_announce_only_changes(points):
    """R-PTS-05: 23:00 Kyiv totals for every partner; a re-run changes nothing; a drop to zero is announced;
    R-PTS-04: an accrual stops counting at the run a year later."""
    await points.approve_partners("p-1", "p-2")
    await accrue(points, "p-1", "m-1")
    e2 = await accrue(points, "p-2", "m-2")
    await points.refused(
        run(points, "early", "2026-03-02"), grpc.StatusCode.FAILED_PRECONDITION, "DAILY_TOTALS_NOT_DUE"
    )

    points.clock.set(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))  # 23:30 Kyiv
    first = await run(points, "run-1")
    assert (first.business_date, first.partner_count, first.changed_count) == ("2026-03-02", 2, 2)
    assert first.computed_time.ToDatetime() == datetime(2026, 3, 2, 21, 0)
    changed = await points.tap.wait_for(ev.ActiveTotalChanged, count=2)
    assert {(c.partner_id, c.previous_total_points, c.total_points) for c in changed} == {
        ("p-1", "0.00", "15.00"),
        ("p-2", "0.00", "15.00"),
    }
    # The date is announced complete (after its changes in the same outbox transaction; status's review waits for it).
    completed = await points.tap.wait_for(ev.DailyTotalsCompleted)
    assert (completed[0].business_date, completed[0].changed_partners) == ("2026-03-02", 2)
    rows = await points.scalar("SELECT count(*) FROM daily_totals")
    again = await run(points, "run-1-again", "2026-03-02")
    assert (again.partner_count, again.changed_count) == (2, 2)
    await asyncio.sleep(0.3)
    assert len(points.tap.of_type(ev.ActiveTotalChanged)) == 2
    assert len(points.tap.of_type(ev.DailyTotalsCompleted)) == 1  # a date already computed announces nothing
    assert await points.scalar("SELECT count(*) FROM daily_totals") == rows

    stored = await points.stub.GetDailyTotal(
        pb.GetDailyTotalRequest(partner_id="p-1", business_date="2026-03-02"), metadata=points.partner("p-1")
    )
    assert stored.daily_total.total_points == "15.00"

    await points.stub.ReverseLedgerEntry(
        pb.ReverseLedgerEntryRequest(request_id="rv", entry_id=e2.entry_id, reason="withdrawn"), metadata=points.staff()
    )
    points.clock.set(datetime(2026, 3, 3, 21, 30, tzinfo=UTC))
    second = await run(points, "run-2")
    assert (second.business_date, second.partner_count, second.changed_count) == ("2026-03-03", 2, 1)
    dropped = await points.tap.wait_for(ev.ActiveTotalChanged, lambda c: c.business_date == "2026-03-03")
    assert (dropped[0].partner_id, dropped[0].total_points) == ("p-2", "0.00")

    points.clock.set(datetime(2027, 3, 2, 21, 30, tzinfo=UTC))
    eve = await run(points, "run-3", "2027-03-01")
    assert eve.changed_count == 0  # p-1's accrual of 2026-03-02 11:00 Kyiv still counts at 23:00 on 1 March
    expired = await run(points, "run-4", "2027-03-02")
    assert expired.changed_count == 1
    gone = await points.tap.wait_for(ev.ActiveTotalChanged, lambda c: c.business_date == "2027-03-02")
    assert (gone[0].partner_id, gone[0].previous_total_points, gone[0].total_points) == ("p-1", "15.00", "0.00")
    await points.refused(
        run(points, "late", "2026-06-01"), grpc.StatusCode.FAILED_PRECONDITION, "DAILY_TOTALS_OUT_OF_ORDER"
    )
    latest = await points.stub.GetDailyTotal(pb.GetDailyTotalRequest(partner_id="p-1"), metadata=points.staff())
    assert (latest.daily_total.business_date, latest.daily_total.total_points) == ("2027-03-02", "0.00")
