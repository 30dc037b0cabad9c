"""The issue's flow over real gRPC, PostgreSQL and JetStream: a resale price below list
opens a dumping incident, staff confirm it and block the discount, the block is seen as
SanctionApplied, and the automatic job lifts it once the clock passes its end."""

import asyncio
from datetime import date, timedelta

import pytest

from partnerprogram.compliance.v1 import case_pb2, sanction_pb2
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from partnerprogram.compliance.v1 import events_pb2 as events
from ppcore.clock import kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

PARTNER = "p-dumping"


async def test_dumping_from_price_check_to_discount_block_and_automatic_lift(start_compliance):
    """R-PRC-01, R-PRC-02, R-VIO-01, R-SAN-01, R-SAN-07: the whole dumping case."""
    svc = await start_compliance(scheduler_enabled=True, lift_interval=0.05)
    await svc.approve_partner(PARTNER)

    # A price at list is allowed, and nothing is written (hot path).
    before = await svc.counts()
    allowed = await svc.stub.CheckResalePrice(
        pb.CheckResalePriceRequest(
            request_id="chk-1",
            partner_id=PARTNER,
            edition_code="SM_STANDARD",
            price_uah="17900",
            currency="UAH",
            order_id="o-1",
        ),
        metadata=svc.sales(),
    )
    assert allowed.allowed and allowed.list_price_uah == "17900" and not allowed.dumping_case_id
    assert await svc.counts() == before

    # Below list: refused, and a dumping case opens for review.
    check = pb.CheckResalePriceRequest(
        request_id="chk-2",
        partner_id=PARTNER,
        edition_code="SM_STANDARD",
        price_uah="15000.00",
        currency="UAH",
        order_id="o-2",
    )
    refused = await svc.stub.CheckResalePrice(check, metadata=svc.sales())
    assert not refused.allowed and refused.dumping_case_id
    incident = await svc.tap.wait_for_one(events.DumpingIncidentOpened)
    assert (incident.case_id, incident.order_id, incident.observed_price_uah, incident.list_price_uah) == (
        refused.dumping_case_id,
        "o-2",
        "15000.00",
        "17900",
    )

    # Once per order: the same order checked again (another request id) reuses the case.
    check.request_id = "chk-3"
    again = await svc.stub.CheckResalePrice(check, metadata=svc.sales())
    assert again.dumping_case_id == refused.dumping_case_id
    assert await svc.scalar("SELECT count(*) FROM cases") == 1

    case = (await svc.stub.GetCase(pb.GetCaseRequest(case_id=refused.dumping_case_id), metadata=svc.staff())).case
    assert case.state == case_pb2.CASE_STATE_OPEN
    assert case.violation_type == case_pb2.VIOLATION_TYPE_DUMPING
    assert case.opened_by == "system:price-check"
    assert case.evidence.order_id == "o-2"

    confirmed = await svc.stub.ConfirmCase(
        pb.ConfirmCaseRequest(request_id="conf-1", case_id=case.case_id, reason="price confirmed by the order"),
        metadata=svc.staff(),
    )
    assert confirmed.case.state == case_pb2.CASE_STATE_CONFIRMED
    await svc.tap.wait_for_one(events.CaseConfirmed, lambda e: e.case_id == case.case_id)

    applied = await svc.stub.ApplySanction(
        pb.ApplySanctionRequest(
            request_id="san-1",
            case_id=case.case_id,
            kind=sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK,
            start_date="2026-03-02",
            end_date="2026-06-02",
        ),
        metadata=svc.staff(),
    )
    sanction = applied.sanction
    assert sanction.state == sanction_pb2.SANCTION_STATE_APPLIED
    event = await svc.tap.wait_for_one(events.SanctionApplied, lambda e: e.sanction_id == sanction.sanction_id)
    assert event.kind == sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK
    assert (event.partner_id, event.start_date, event.end_date) == (PARTNER, "2026-03-02", "2026-06-02")
    assert event.violation_type == case_pb2.VIOLATION_TYPE_DUMPING

    active = await svc.stub.ListActiveSanctions(
        pb.ListActiveSanctionsRequest(partner_id=PARTNER, at_date="2026-06-01"), metadata=svc.staff()
    )
    assert [s.sanction_id for s in active.sanctions] == [sanction.sanction_id]

    # The day before the end nothing is lifted; past the end the job lifts it by itself.
    svc.clock.set(kyiv_datetime(date(2026, 6, 1), 23, 59))
    await asyncio.sleep(0.3)  # several rounds of the 0.05 s job
    assert await svc.scalar("SELECT count(*) FROM sanctions WHERE state = 'LIFTED'") == 0
    svc.clock.set(kyiv_datetime(date(2026, 6, 2), 0, 1))
    lifted = await svc.tap.wait_for_one(events.SanctionLifted, lambda e: e.sanction_id == sanction.sanction_id)
    assert lifted.lift_reason == sanction_pb2.SANCTION_LIFT_REASON_END_REACHED
    assert lifted.kind == sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK
    assert not lifted.kind_still_in_force
    assert lifted.lifted_time.ToDatetime().date() == date(2026, 6, 1)  # 00:00 Kyiv is 21:00 UTC the day before

    timeline = await svc.stub.ListSanctionTimeline(
        pb.ListSanctionTimelineRequest(partner_id=PARTNER), metadata=svc.staff()
    )
    assert [e.change for e in timeline.entries] == [
        sanction_pb2.SANCTION_TIMELINE_CHANGE_APPLIED,
        sanction_pb2.SANCTION_TIMELINE_CHANGE_LIFTED,
    ]
    assert timeline.entries[1].sanction.lift.lifted_by == "system"
    active = await svc.stub.ListActiveSanctions(
        pb.ListActiveSanctionsRequest(partner_id=PARTNER, at_date="2026-06-02"), metadata=svc.staff()
    )
    assert list(active.sanctions) == []
    assert len(svc.tap.of_type(events.SanctionLifted)) == 1


async def test_lift_job_rpc_lifts_only_what_has_ended(compliance):
    """R-SAN-01: RunSanctionLifts (the CronJob's entry) lifts ended sanctions once."""
    svc = compliance
    await svc.approve_partner(PARTNER)
    case_id = await _confirmed_case(svc)
    short = await _apply(svc, case_id, sanction_pb2.SANCTION_KIND_CABINET_BLOCK, "2026-03-02", "2026-03-09", "s-1")
    await _apply(svc, case_id, sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK, "2026-03-02", "2026-09-02", "s-2")

    svc.clock.advance(timedelta(days=6))
    first = await svc.stub.RunSanctionLifts(pb.RunSanctionLiftsRequest(request_id="run-1"), metadata=svc.staff())
    assert list(first.lifted_sanctions) == []

    svc.clock.set(kyiv_datetime(date(2026, 3, 9), 0, 0))
    second = await svc.stub.RunSanctionLifts(
        pb.RunSanctionLiftsRequest(request_id="run-2"), metadata=svc.tokens.metadata(svc.tokens.system())
    )
    assert [s.sanction_id for s in second.lifted_sanctions] == [short]
    third = await svc.stub.RunSanctionLifts(pb.RunSanctionLiftsRequest(request_id="run-3"), metadata=svc.staff())
    assert list(third.lifted_sanctions) == []
    await svc.tap.wait_for_one(events.SanctionLifted, lambda e: e.sanction_id == short)
    assert len(svc.tap.of_type(events.SanctionLifted)) == 1


async def _confirmed_case(svc, *, request_id: str = "case-1", partner_id: str = PARTNER) -> str:
    opened = await svc.stub.OpenCase(
        pb.OpenCaseRequest(
            request_id=request_id,
            partner_id=partner_id,
            violation_type=case_pb2.VIOLATION_TYPE_ETHICS_10_14,
            violation_date="2026-03-01",
            evidence=case_pb2.Evidence(description="mass mailing to clients of other partners"),
        ),
        metadata=svc.staff(),
    )
    await svc.stub.ConfirmCase(
        pb.ConfirmCaseRequest(request_id=f"{request_id}-confirm", case_id=opened.case.case_id), metadata=svc.staff()
    )
    return str(opened.case.case_id)


async def _apply(svc, case_id: str, kind: int, start: str, end: str, request_id: str) -> str:
    applied = await svc.stub.ApplySanction(
        pb.ApplySanctionRequest(request_id=request_id, case_id=case_id, kind=kind, start_date=start, end_date=end),
        metadata=svc.staff(),
    )
    return str(applied.sanction.sanction_id)
