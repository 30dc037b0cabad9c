"""Sanctions: applied to confirmed cases, in force for their period, lifted (R-SAN-01, R-SAN-07)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from compliance_service.domain.cases import ViolationCase, open_case
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.sanction_catalogue import SanctionKind, SanctionParameters, SanctionTerms
from compliance_service.domain.sanctions import (
    SYSTEM_ACTOR,
    LiftReason,
    Sanction,
    SanctionState,
    active_sanctions,
    active_sanctions_on,
    apply_sanction,
    in_force_until,
    kind_in_force,
    lift_at_end,
    lift_early,
    lift_for_upheld_appeal,
    sanctions_due_to_lift,
)
from compliance_service.domain.violation_types import ViolationType
from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy
from ppcore.testing.policy import holidays_off

OpenedCase = Callable[..., ViolationCase]
CONFIRMED_ON = date(2026, 3, 2)


def at(day: date, hour: int = 10) -> datetime:
    return kyiv_datetime(day, hour)


def _apply(
    policy: ProgramPolicy,
    case: ViolationCase,
    kind: SanctionKind,
    start: date,
    end: date | None,
    existing: list[Sanction],
    sanction_id: str,
    parameters: SanctionParameters | None = None,
) -> Sanction:
    sanction, _ = apply_sanction(
        case=case,
        terms=SanctionTerms(kind, start, end, parameters or SanctionParameters()),
        partner_sanctions=existing,
        sanction_id=sanction_id,
        applied_by="staff-2",
        now=at(CONFIRMED_ON, 11),
        policy=policy,
    )
    existing.append(sanction)
    return sanction


def test_confirmed_case_carries_a_sanction_and_emits_its_event(
    policy: ProgramPolicy, confirmed_case: OpenedCase
) -> None:
    """R-SAN-01: a confirmed case may carry sanctions; each application is an event."""
    case = confirmed_case()
    sanction, event = apply_sanction(
        case=case,
        terms=SanctionTerms(
            SanctionKind.COMPETENCY_REMOVAL, CONFIRMED_ON, None, SanctionParameters(competency_codes=("PHP_HOSTING",))
        ),
        partner_sanctions=[],
        sanction_id="s-1",
        applied_by="staff-2",
        now=at(CONFIRMED_ON, 11),
        policy=policy,
    )
    assert sanction.state is SanctionState.APPLIED and sanction.partner_id == "p-1"
    assert (event.sanction_id, event.case_id, event.kind, event.end_date) == (
        "s-1",
        "case-1",
        SanctionKind.COMPETENCY_REMOVAL,
        None,
    )
    assert event.parameters.competency_codes == ("PHP_HOSTING",)
    assert event.violation_type is ViolationType.OTHER and event.policy_version == policy.version


def test_a_case_carries_several_sanctions(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: one or more sanctions per confirmed case."""
    case, existing = confirmed_case(), []  # type: ignore[var-annotated]
    _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 9, 2), existing, "s-1")
    _apply(policy, case, SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, existing, "s-2")
    assert [s.kind for s in active_sanctions(existing, at(CONFIRMED_ON, 12))] == [
        SanctionKind.DISCOUNT_BLOCK,
        SanctionKind.VIOLATORS_LIST,
    ]


def test_open_or_dismissed_case_cannot_carry_a_sanction(policy: ProgramPolicy) -> None:
    """R-SAN-01: only a confirmed case is sanctioned."""
    case = open_case(
        case_id="c-2",
        partner_id="p-1",
        violation_type=ViolationType.OTHER,
        violation_date=CONFIRMED_ON,
        evidence=Evidence(description="x"),
        opened_by="s",
        now=at(CONFIRMED_ON),
        policy=policy,
    )
    with pytest.raises(FailedPrecondition) as err:
        _apply(policy, case, SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, [], "s-1")
    assert err.value.reason == "CASE_NOT_CONFIRMED"
    case.dismiss(reason="no proof", decided_by="s", now=at(CONFIRMED_ON, 11), policy=policy)
    with pytest.raises(FailedPrecondition):
        _apply(policy, case, SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, [], "s-1")


def test_sanction_cannot_start_before_the_confirmation(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: the sanction follows the confirmed case."""
    with pytest.raises(InvalidArgument) as err:
        _apply(policy, confirmed_case(), SanctionKind.POINTS_REFUSAL, date(2026, 3, 1), None, [], "s-1")
    assert err.value.reason == "SANCTION_START_BEFORE_CONFIRMATION"


def test_twelve_month_discount_block_holds_until_its_end(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-07: a 12-month block is accepted and holds for exactly that period."""
    existing: list[Sanction] = []
    block = _apply(
        policy, confirmed_case(), SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2027, 3, 2), existing, "s-1"
    )
    assert block.is_active_at(kyiv_datetime(date(2027, 3, 1), 23, 59))
    assert not block.is_active_at(kyiv_datetime(date(2027, 3, 2)))


def test_sanction_is_due_to_lift_at_its_end_and_not_before(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: which sanctions are due to lift at an instant (pure; the job lifts them)."""
    existing: list[Sanction] = []
    case = confirmed_case()
    block = _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 6, 2), existing, "s-1")
    _apply(policy, case, SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, existing, "s-2")
    end = kyiv_datetime(date(2026, 6, 2))
    assert sanctions_due_to_lift(existing, end - timedelta(microseconds=1)) == []
    assert sanctions_due_to_lift(existing, end) == [block]


def test_automatic_lift_is_dated_at_the_end_even_when_noticed_late(
    policy: ProgramPolicy, confirmed_case: OpenedCase
) -> None:
    """R-SAN-01: lifted automatically at the end; the event says so and is dated at the end."""
    existing: list[Sanction] = []
    block = _apply(
        policy, confirmed_case(), SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 6, 2), existing, "s-1"
    )
    event = lift_at_end(block, partner_sanctions=existing, policy=policy)
    assert block.state is SanctionState.LIFTED
    assert event.lift_reason == LiftReason.END_REACHED and event.lifted_by == SYSTEM_ACTOR
    assert event.lifted_time == kyiv_datetime(date(2026, 6, 2))
    assert not event.kind_still_in_force
    assert sanctions_due_to_lift(existing, at(date(2026, 7, 1))) == []


def test_sanction_ending_on_a_holiday_ends_on_that_date(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01, R-POL-02: the end date is not moved to a business day (1 January is a holiday)."""
    # R-POL-02: with martial law in force (the policy default) holidays are worked; this
    # rule is about the days off when it is not.
    policy = holidays_off(policy)
    new_year = date(2027, 1, 1)
    assert not policy.business_calendar().is_business_day(new_year)
    existing: list[Sanction] = []
    block = _apply(policy, confirmed_case(), SanctionKind.CABINET_BLOCK, CONFIRMED_ON, new_year, existing, "s-1")
    assert block.is_active_at(kyiv_datetime(date(2026, 12, 31), 23, 59))
    assert not block.is_active_at(kyiv_datetime(new_year))
    assert sanctions_due_to_lift(existing, kyiv_datetime(new_year)) == [block]
    assert lift_at_end(block, partner_sanctions=existing, policy=policy).lifted_time == kyiv_datetime(new_year)


def test_permanent_sanction_is_never_due_to_lift(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: without an end only staff lift it."""
    existing: list[Sanction] = []
    listing = _apply(policy, confirmed_case(), SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, existing, "s-1")
    assert sanctions_due_to_lift(existing, at(date(2099, 1, 1))) == []
    with pytest.raises(FailedPrecondition):
        lift_at_end(listing, partner_sanctions=existing, policy=policy)


def test_staff_lift_a_sanction_early_with_a_note(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: staff may lift early; it says why and stops holding from then."""
    existing: list[Sanction] = []
    block = _apply(
        policy, confirmed_case(), SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 9, 2), existing, "s-1"
    )
    with pytest.raises(InvalidArgument):
        lift_early(
            block, note="", lifted_by="staff-3", now=at(date(2026, 4, 1)), partner_sanctions=existing, policy=policy
        )
    event = lift_early(
        block,
        note="paid the difference",
        lifted_by="staff-3",
        now=at(date(2026, 4, 1)),
        partner_sanctions=existing,
        policy=policy,
    )
    assert event.lift_reason == LiftReason.EARLY_BY_STAFF and event.lifted_by == "staff-3"
    assert block.ends_at == at(date(2026, 4, 1))
    assert not block.is_active_at(at(date(2026, 4, 2)))
    assert block.is_active_at(at(date(2026, 3, 31)))  # the history still shows it held before


def test_a_lifted_sanction_cannot_be_lifted_again(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: one lift per sanction."""
    existing: list[Sanction] = []
    listing = _apply(policy, confirmed_case(), SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, existing, "s-1")
    lift_early(listing, note="n", lifted_by="s", now=at(date(2026, 4, 1)), partner_sanctions=existing, policy=policy)
    with pytest.raises(FailedPrecondition) as err:
        lift_early(
            listing, note="n", lifted_by="s", now=at(date(2026, 4, 2)), partner_sanctions=existing, policy=policy
        )
    assert err.value.reason == "SANCTION_ALREADY_LIFTED"


def test_early_lift_after_the_end_is_refused(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: a sanction past its end is lifted automatically, not early."""
    existing: list[Sanction] = []
    block = _apply(
        policy, confirmed_case(), SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 6, 2), existing, "s-1"
    )
    with pytest.raises(FailedPrecondition) as err:
        lift_early(block, note="n", lifted_by="s", now=at(date(2026, 6, 2)), partner_sanctions=existing, policy=policy)
    assert err.value.reason == "SANCTION_ALREADY_ENDED"


def test_overlapping_sanctions_of_one_kind_from_two_cases_both_hold(
    policy: ProgramPolicy, confirmed_case: OpenedCase
) -> None:
    """R-SAN-01, R-SAN-07: overlaps across cases are allowed; the kind holds while either does."""
    existing: list[Sanction] = []
    first = _apply(
        policy,
        confirmed_case(case_id="c-1"),
        SanctionKind.DISCOUNT_BLOCK,
        CONFIRMED_ON,
        date(2026, 9, 2),
        existing,
        "s-1",
    )
    _apply(
        policy,
        confirmed_case(case_id="c-2"),
        SanctionKind.DISCOUNT_BLOCK,
        date(2026, 6, 1),
        date(2027, 1, 15),
        existing,
        "s-2",
    )
    assert len(active_sanctions_on(existing, date(2026, 7, 1))) == 2
    assert in_force_until(existing, SanctionKind.DISCOUNT_BLOCK, at(date(2026, 4, 1))) == kyiv_datetime(
        date(2027, 1, 15)
    )
    event = lift_at_end(first, partner_sanctions=existing, policy=policy)
    assert event.kind_still_in_force
    assert kind_in_force(existing, SanctionKind.DISCOUNT_BLOCK, at(date(2026, 10, 1)))
    assert not kind_in_force(existing, SanctionKind.DISCOUNT_BLOCK, at(date(2027, 1, 15)))


def test_overlapping_sanctions_of_one_kind_within_one_case_are_refused(
    policy: ProgramPolicy, confirmed_case: OpenedCase
) -> None:
    """R-SAN-07: a second overlapping block on the same case would stretch the 12-month cap."""
    existing: list[Sanction] = []
    case = confirmed_case()
    _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2027, 3, 2), existing, "s-1")
    with pytest.raises(FailedPrecondition) as err:
        _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, date(2027, 3, 1), date(2028, 3, 1), existing, "s-2")
    assert err.value.reason == "SANCTION_OVERLAPS_SAME_CASE"
    # Back to back is not an overlap.
    _apply(policy, case, SanctionKind.CABINET_BLOCK, CONFIRMED_ON, date(2026, 6, 2), existing, "s-3")
    _apply(policy, case, SanctionKind.CABINET_BLOCK, date(2026, 6, 2), date(2026, 7, 2), existing, "s-4")


def test_back_to_back_sanctions_chain_into_one_stretch(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: the kind holds without a gap across adjoining periods."""
    existing: list[Sanction] = []
    _apply(
        policy,
        confirmed_case(case_id="c-1"),
        SanctionKind.POINTS_REFUSAL,
        CONFIRMED_ON,
        date(2026, 6, 2),
        existing,
        "s-1",
    )
    _apply(
        policy,
        confirmed_case(case_id="c-2"),
        SanctionKind.POINTS_REFUSAL,
        date(2026, 6, 2),
        date(2026, 8, 3),
        existing,
        "s-2",
    )
    assert in_force_until(existing, SanctionKind.POINTS_REFUSAL, at(CONFIRMED_ON, 12)) == kyiv_datetime(
        date(2026, 8, 3)
    )
    assert in_force_until(existing, SanctionKind.POINTS_REFUSAL, at(date(2026, 9, 1))) is None


def test_active_sanctions_at_a_past_or_future_date(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: what held on any date, including ones that start later or were lifted."""
    existing: list[Sanction] = []
    case = confirmed_case()
    block = _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 9, 2), existing, "s-1")
    later = _apply(policy, case, SanctionKind.SEMINAR_REFUSAL, date(2026, 5, 1), date(2026, 11, 1), existing, "s-2")
    lift_early(block, note="n", lifted_by="s", now=at(date(2026, 6, 1), 12), partner_sanctions=existing, policy=policy)
    assert active_sanctions_on(existing, date(2026, 4, 1)) == [block]
    assert active_sanctions_on(existing, date(2026, 6, 1)) == [block, later]  # lifted later that day
    assert active_sanctions_on(existing, date(2026, 6, 2)) == [later]
    assert active_sanctions_on(existing, date(2026, 11, 1)) == []


def test_upheld_appeal_lifts_the_case_sanctions(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01, R-VIO-01: an upheld appeal lifts every sanction of that case, not of others."""
    existing: list[Sanction] = []
    case = confirmed_case(case_id="c-1")
    other = confirmed_case(case_id="c-2")
    block = _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2027, 3, 2), existing, "s-1")
    listing = _apply(policy, case, SanctionKind.VIOLATORS_LIST, CONFIRMED_ON, None, existing, "s-2")
    other_block = _apply(policy, other, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2026, 6, 2), existing, "s-3")
    case.file_appeal(statement="not us", filed_by="p", now=at(date(2026, 3, 5)), policy=policy)
    case.decide_appeal(upheld=True, reason="wrong partner", decided_by="s", now=at(date(2026, 3, 10)))
    events = lift_for_upheld_appeal(
        case, partner_sanctions=existing, lifted_by="s", now=at(date(2026, 3, 10)), policy=policy
    )
    assert [e.sanction_id for e in events] == ["s-1", "s-2"]
    assert all(e.lift_reason == LiftReason.APPEAL_UPHELD for e in events)
    assert events[0].kind_still_in_force  # the other case's discount block still holds
    assert block.state is listing.state is SanctionState.LIFTED
    assert other_block.state is SanctionState.APPLIED


def test_rejected_appeal_lifts_nothing(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: sanctions stand when the appeal is rejected."""
    existing: list[Sanction] = []
    case = confirmed_case()
    block = _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, CONFIRMED_ON, date(2027, 3, 2), existing, "s-1")
    case.file_appeal(statement="not us", filed_by="p", now=at(date(2026, 3, 5)), policy=policy)
    case.decide_appeal(upheld=False, reason="clear evidence", decided_by="s", now=at(date(2026, 3, 10)))
    with pytest.raises(FailedPrecondition):
        lift_for_upheld_appeal(
            case, partner_sanctions=existing, lifted_by="s", now=at(date(2026, 3, 10)), policy=policy
        )
    assert block.state is SanctionState.APPLIED
    # A case whose appeal was rejected still stands and may carry further sanctions.
    _apply(policy, case, SanctionKind.VIOLATORS_LIST, date(2026, 3, 10), None, existing, "s-2")
