"""Cases and sanctions over real gRPC: refusals with their codes and reasons (and nothing
written), idempotent retries, appeals, early lifts and the public violators list."""

from datetime import date

import grpc
import pytest

from partnerprogram.compliance.v1 import case_pb2, sanction_pb2
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from partnerprogram.compliance.v1 import events_pb2 as events
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.auth import PartnerRole
from ppcore.clock import kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

P = "p-cases"
INVALID = grpc.StatusCode.INVALID_ARGUMENT
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION


def _open_request(request_id: str = "open-1", partner_id: str = P, **overrides) -> pb.OpenCaseRequest:
    fields = {
        "request_id": request_id,
        "partner_id": partner_id,
        "violation_type": case_pb2.VIOLATION_TYPE_BRAND_MISUSE,
        "violation_date": "2026-03-01",
        "evidence": case_pb2.Evidence(description="logo used on a reseller's banner without consent"),
    }
    fields.update(overrides)
    return pb.OpenCaseRequest(**fields)


async def _confirmed(svc, request_id: str = "open-1") -> str:
    case = (await svc.stub.OpenCase(_open_request(request_id), metadata=svc.staff())).case
    await svc.stub.ConfirmCase(
        pb.ConfirmCaseRequest(request_id=f"{request_id}-c", case_id=case.case_id), metadata=svc.staff()
    )
    return str(case.case_id)


def _sanction(request_id: str, case_id: str, kind: int, start: str, end: str = "", **kw) -> pb.ApplySanctionRequest:
    return pb.ApplySanctionRequest(
        request_id=request_id, case_id=case_id, kind=kind, start_date=start, end_date=end, **kw
    )


async def test_open_case_is_idempotent_by_request_id(compliance):
    """R-VIO-01: a retried OpenCase returns the first case; one row; a reused id for another request is refused."""
    svc = compliance
    await svc.approve_partner(P)
    first = await svc.stub.OpenCase(_open_request(), metadata=svc.staff())
    again = await svc.stub.OpenCase(_open_request(), metadata=svc.staff())
    assert again.case.case_id == first.case.case_id
    assert first.case.opened_by == "staff:moderator"
    assert await svc.scalar("SELECT count(*) FROM cases") == 1
    await svc.refused(
        svc.stub.OpenCase(_open_request(violation_date="2026-02-28"), metadata=svc.staff()),
        INVALID,
        "REQUEST_ID_REUSED",
    )
    assert await svc.scalar("SELECT count(*) FROM cases") == 1


async def test_open_case_refusals_write_nothing(compliance):
    """R-VIO-01, R-ETH-01: bad input is INVALID_ARGUMENT, an unknown partner NOT_FOUND."""
    svc = compliance
    await svc.approve_partner(P)
    before = await svc.counts()
    await svc.refused(
        svc.stub.OpenCase(_open_request("r1", partner_id="p-nobody"), metadata=svc.staff()),
        grpc.StatusCode.NOT_FOUND,
        "PARTNER_NOT_FOUND",
    )
    await svc.refused(
        svc.stub.OpenCase(_open_request("r2", violation_type=0), metadata=svc.staff()),
        INVALID,
        "VIOLATION_TYPE_REQUIRED",
    )
    await svc.refused(
        svc.stub.OpenCase(_open_request("r3", evidence=case_pb2.Evidence(description=" ")), metadata=svc.staff()),
        INVALID,
        "EVIDENCE_EMPTY",
    )
    await svc.refused(
        svc.stub.OpenCase(_open_request("r4", violation_date="2026-03-03"), metadata=svc.staff()),
        INVALID,
        "VIOLATION_DATE_IN_FUTURE",
    )
    # R-VIO-01: a mystery-shopper wait of exactly 30 s is not a finding.
    await svc.refused(
        svc.stub.OpenCase(
            _open_request(
                "r5",
                violation_type=case_pb2.VIOLATION_TYPE_MYSTERY_SHOPPER,
                mystery_shopper_kind=case_pb2.MYSTERY_SHOPPER_KIND_ANSWER_WAIT_TOO_LONG,
                evidence=case_pb2.Evidence(description="phone check", answer_wait_seconds=30),
            ),
            metadata=svc.staff(),
        ),
        INVALID,
        "ANSWER_WAIT_WITHIN_LIMIT",
    )
    assert await svc.counts() == before
    found = await svc.stub.OpenCase(
        _open_request(
            "r6",
            violation_type=case_pb2.VIOLATION_TYPE_MYSTERY_SHOPPER,
            mystery_shopper_kind=case_pb2.MYSTERY_SHOPPER_KIND_ANSWER_WAIT_TOO_LONG,
            evidence=case_pb2.Evidence(description="phone check", answer_wait_seconds=31),
        ),
        metadata=svc.staff(),
    )
    assert found.case.evidence.answer_wait_seconds == 31


async def test_review_refusals(compliance):
    """R-VIO-01: a dismissal needs a reason; a decided case is not decided again; unknown ids are NOT_FOUND."""
    svc = compliance
    await svc.approve_partner(P)
    case = (await svc.stub.OpenCase(_open_request(), metadata=svc.staff())).case
    await svc.refused(
        svc.stub.DismissCase(pb.DismissCaseRequest(request_id="d1", case_id=case.case_id), metadata=svc.staff()),
        INVALID,
        "CASE_DISMISSAL_REASON_REQUIRED",
    )
    await svc.refused(
        svc.stub.ConfirmCase(pb.ConfirmCaseRequest(request_id="c0", case_id="nope"), metadata=svc.staff()),
        grpc.StatusCode.NOT_FOUND,
        "CASE_NOT_FOUND",
    )
    await svc.refused(
        svc.stub.ApplySanction(
            _sanction("s0", case.case_id, sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK, "2026-03-02", "2026-04-02"),
            metadata=svc.staff(),
        ),
        PRECONDITION,
        "CASE_NOT_CONFIRMED",
    )
    dismissed = await svc.stub.DismissCase(
        pb.DismissCaseRequest(request_id="d2", case_id=case.case_id, reason="the banner is the partner's own"),
        metadata=svc.staff(),
    )
    assert dismissed.case.state == case_pb2.CASE_STATE_DISMISSED
    await svc.tap.wait_for_one(events.CaseDismissed, lambda e: e.case_id == case.case_id)
    before = await svc.counts()
    await svc.refused(
        svc.stub.ConfirmCase(pb.ConfirmCaseRequest(request_id="c1", case_id=case.case_id), metadata=svc.staff()),
        PRECONDITION,
        "CASE_NOT_OPEN",
    )
    assert await svc.counts() == before


async def test_sanction_terms_are_validated(compliance):
    """R-SAN-07: a 12-month block is accepted, 12 months and a day refused; R-SAN-02: a downgrade
    has an end date or until_lifted, not both."""
    svc = compliance
    await svc.approve_partner(P)
    case_id = await _confirmed(svc)
    before = await svc.counts()
    block = sanction_pb2.SANCTION_KIND_CABINET_BLOCK
    await svc.refused(
        svc.stub.ApplySanction(_sanction("s1", case_id, block, "2026-03-02", "2027-03-03"), metadata=svc.staff()),
        INVALID,
        "SANCTION_BLOCK_TOO_LONG",
    )
    await svc.refused(
        svc.stub.ApplySanction(_sanction("s2", case_id, block, "2026-03-02"), metadata=svc.staff()),
        INVALID,
        "SANCTION_END_REQUIRED",
    )
    await svc.refused(
        svc.stub.ApplySanction(
            _sanction(
                "s3",
                case_id,
                sanction_pb2.SANCTION_KIND_STATUS_DOWNGRADE,
                "2026-03-02",
                "2026-05-02",
                parameters=sanction_pb2.SanctionParameters(target_tier=sanction_pb2.SANCTION_TARGET_TIER_BUSINESS),
                until_lifted=True,
            ),
            metadata=svc.staff(),
        ),
        INVALID,
        "SANCTION_END_AND_UNTIL_LIFTED",
    )
    await svc.refused(
        svc.stub.ApplySanction(_sanction("s4", case_id, block, "2026-03-01", "2026-04-01"), metadata=svc.staff()),
        INVALID,
        "SANCTION_START_BEFORE_CONFIRMATION",
    )
    await svc.refused(
        svc.stub.ApplySanction(_sanction("s5", case_id, block, "2026-3-2", "2026-04-01"), metadata=svc.staff()),
        INVALID,
        "DATE_INVALID",
    )
    assert await svc.counts() == before
    year = await svc.stub.ApplySanction(
        _sanction("s6", case_id, block, "2026-03-02", "2027-03-02"), metadata=svc.staff()
    )
    assert year.sanction.end_date == "2027-03-02"
    # R-SAN-01: an overlapping block of the same kind from the same case is refused.
    await svc.refused(
        svc.stub.ApplySanction(_sanction("s7", case_id, block, "2026-06-01", "2026-07-01"), metadata=svc.staff()),
        PRECONDITION,
        "SANCTION_OVERLAPS_SAME_CASE",
    )


async def test_a_status_downgrade_ends_after_its_term_unless_until_lifted_is_chosen(compliance):
    """R-SAN-02: "зниження статусу" (section 11) names no term; a downgrade without an end runs
    for the policy's 12 months and is lifted then, "until lifted" only when staff choose it,
    and the event status enforces carries the end."""
    svc = compliance
    await svc.approve_partner(P)
    case_id = await _confirmed(svc)
    cap = sanction_pb2.SanctionParameters(target_tier=sanction_pb2.SANCTION_TARGET_TIER_CERTIFIED)
    kind = sanction_pb2.SANCTION_KIND_STATUS_DOWNGRADE
    termed = await svc.stub.ApplySanction(
        _sanction("d1", case_id, kind, "2026-03-02", parameters=cap), metadata=svc.staff()
    )
    assert termed.sanction.end_date == "2027-03-02"
    applied = await svc.tap.wait_for_one(events.SanctionApplied)
    assert (applied.sanction_id, applied.end_date) == (termed.sanction.sanction_id, "2027-03-02")
    second_case = await _confirmed(svc, request_id="open-2")
    until_lifted = await svc.stub.ApplySanction(
        _sanction("d2", second_case, kind, "2026-03-02", parameters=cap, until_lifted=True), metadata=svc.staff()
    )
    assert until_lifted.sanction.end_date == ""


async def test_apply_sanction_retry_applies_once(compliance):
    """R-SAN-01: the same request id twice gives one sanction and one SanctionApplied."""
    svc = compliance
    await svc.approve_partner(P)
    case_id = await _confirmed(svc)
    request = _sanction("s1", case_id, sanction_pb2.SANCTION_KIND_POINTS_REFUSAL, "2026-03-02", "2026-09-02")
    first = await svc.stub.ApplySanction(request, metadata=svc.staff())
    second = await svc.stub.ApplySanction(request, metadata=svc.staff())
    assert first.sanction.sanction_id == second.sanction.sanction_id
    assert await svc.scalar("SELECT count(*) FROM sanctions") == 1
    await svc.tap.wait_for_one(events.SanctionApplied)
    assert await svc.scalar("SELECT count(*) FROM outbox WHERE subject LIKE '%sanction_applied'") == 1


async def test_overlapping_blocks_from_two_cases_keep_the_kind_in_force(compliance):
    """R-SAN-01: lifting one of two overlapping discount blocks says the kind still holds."""
    svc = compliance
    await svc.approve_partner(P)
    kind = sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK
    first = await svc.stub.ApplySanction(
        _sanction("s1", await _confirmed(svc, "c1"), kind, "2026-03-02", "2026-06-02"), metadata=svc.staff()
    )
    await svc.stub.ApplySanction(
        _sanction("s2", await _confirmed(svc, "c2"), kind, "2026-03-02", "2026-09-02"), metadata=svc.staff()
    )
    lifted = await svc.stub.LiftSanction(
        pb.LiftSanctionRequest(request_id="l1", sanction_id=first.sanction.sanction_id, note="paid the difference"),
        metadata=svc.staff(),
    )
    assert lifted.sanction.lift.reason == sanction_pb2.SANCTION_LIFT_REASON_EARLY_BY_STAFF
    event = await svc.tap.wait_for_one(events.SanctionLifted)
    assert event.kind_still_in_force
    before = await svc.counts()
    await svc.refused(
        svc.stub.LiftSanction(
            pb.LiftSanctionRequest(request_id="l2", sanction_id=first.sanction.sanction_id, note="again"),
            metadata=svc.staff(),
        ),
        PRECONDITION,
        "SANCTION_ALREADY_LIFTED",
    )
    await svc.refused(
        svc.stub.LiftSanction(
            pb.LiftSanctionRequest(request_id="l3", sanction_id=first.sanction.sanction_id), metadata=svc.staff()
        ),
        INVALID,
        "LIFT_NOTE_REQUIRED",
    )
    await svc.refused(
        svc.stub.LiftSanction(
            pb.LiftSanctionRequest(request_id="l4", sanction_id="nope", note="x"), metadata=svc.staff()
        ),
        grpc.StatusCode.NOT_FOUND,
        "SANCTION_NOT_FOUND",
    )
    assert await svc.counts() == before


async def test_upheld_appeal_lifts_the_case_sanctions(compliance):
    """R-VIO-01, R-SAN-01: the partner appeals within the window; upheld lifts the case's sanctions."""
    svc = compliance
    await svc.approve_partner(P)
    case_id = await _confirmed(svc)
    sanction = (
        await svc.stub.ApplySanction(
            _sanction("s1", case_id, sanction_pb2.SANCTION_KIND_LEADS_DISCONNECTION, "2026-03-02", "2026-06-02"),
            metadata=svc.staff(),
        )
    ).sanction
    main_user = svc.tokens.metadata(svc.tokens.partner_user(P, PartnerRole.MAIN, subject="login:main"))
    other_partner = svc.tokens.metadata(svc.tokens.partner_user("p-other", PartnerRole.MAIN))
    await svc.refused(
        svc.stub.AppealCase(
            pb.AppealCaseRequest(request_id="a0", case_id=case_id, statement="not us"), metadata=other_partner
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    await svc.refused(
        svc.stub.GetCase(pb.GetCaseRequest(case_id=case_id), metadata=other_partner),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    own = await svc.stub.ListCases(pb.ListCasesRequest(), metadata=main_user)
    assert [c.case_id for c in own.cases] == [case_id]
    appealed = await svc.stub.AppealCase(
        pb.AppealCaseRequest(request_id="a1", case_id=case_id, statement="the banner was approved in writing"),
        metadata=main_user,
    )
    assert appealed.case.state == case_pb2.CASE_STATE_APPEALED
    assert appealed.case.appeal.filed_by == "login:main"
    await svc.refused(
        svc.stub.DecideAppeal(
            pb.DecideAppealRequest(request_id="x1", case_id=case_id, upheld=True), metadata=svc.staff()
        ),
        INVALID,
        "APPEAL_DECISION_REASON_REQUIRED",
    )
    decided = await svc.stub.DecideAppeal(
        pb.DecideAppealRequest(request_id="x2", case_id=case_id, upheld=True, reason="written consent found"),
        metadata=svc.staff(),
    )
    assert decided.case.state == case_pb2.CASE_STATE_APPEAL_UPHELD
    assert [s.sanction_id for s in decided.lifted_sanctions] == [sanction.sanction_id]
    event = await svc.tap.wait_for_one(events.SanctionLifted)
    assert event.lift_reason == sanction_pb2.SANCTION_LIFT_REASON_APPEAL_UPHELD


async def test_appeal_after_the_window_is_refused(compliance):
    """R-VIO-01: the appeal window is counted in business days from the confirmation."""
    svc = compliance
    await svc.approve_partner(P)
    case_id = await _confirmed(svc)
    svc.clock.set(kyiv_datetime(date(2026, 6, 1), 12))
    before = await svc.counts()
    await svc.refused(
        svc.stub.AppealCase(
            pb.AppealCaseRequest(request_id="a1", case_id=case_id, statement="late"),
            metadata=svc.tokens.metadata(svc.tokens.partner_user(P, PartnerRole.FULL)),
        ),
        PRECONDITION,
        "APPEAL_WINDOW_CLOSED",
    )
    assert await svc.counts() == before


async def test_violators_list_is_public(compliance):
    """R-SAN-06: anyone may read the violators list; it shows listed partners while the listing holds."""
    svc = compliance
    await svc.approve_partner(P)
    case_id = await _confirmed(svc)
    await svc.stub.ApplySanction(
        _sanction("s1", case_id, sanction_pb2.SANCTION_KIND_VIOLATORS_LIST, "2026-03-02", "2026-09-02"),
        metadata=svc.staff(),
    )
    listed = await svc.stub.ListViolators(pb.ListViolatorsRequest())
    assert [(v.partner_id, v.listed_until_date) for v in listed.violators] == [(P, "2026-09-02")]
    assert listed.violators[0].violation_type == case_pb2.VIOLATION_TYPE_BRAND_MISUSE
    svc.clock.set(kyiv_datetime(date(2026, 9, 2), 0, 0))
    assert list((await svc.stub.ListViolators(pb.ListViolatorsRequest())).violators) == []


async def test_partner_termination_is_consumed(compliance):
    """The local copy of partners follows the status service's PartnerTerminated."""
    svc = compliance
    await svc.approve_partner(P)
    await svc.publish_status(status_events.PartnerTerminated(partner_id=P, effective_date="2026-04-01"), P)
    await svc.eventually(lambda: svc.scalar(f"SELECT terminated_on IS NOT NULL FROM partners WHERE partner_id = '{P}'"))
