"""Sanctions of a confirmed case: applied, in force for their period, lifted (R-SAN-01..10)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from compliance_service.domain.cases import ViolationCase
from compliance_service.domain.events import SanctionApplied, SanctionLifted
from compliance_service.domain.sanction_catalogue import (
    SanctionKind,
    SanctionParameters,
    SanctionTerms,
    resolve_terms,
    validate_terms,
)
from ppcore.clock import kyiv_date, kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy


class SanctionState(StrEnum):
    APPLIED = "APPLIED"
    LIFTED = "LIFTED"


class LiftReason(StrEnum):
    END_REACHED = "END_REACHED"
    EARLY_BY_STAFF = "EARLY_BY_STAFF"
    APPEAL_UPHELD = "APPEAL_UPHELD"


@dataclass(frozen=True)
class SanctionLift:
    reason: LiftReason
    note: str
    lifted_by: str
    lifted_time: datetime


# Who lifts a sanction whose period ran out: the scheduled job, not a person.
SYSTEM_ACTOR = "system"


@dataclass
class Sanction:
    """One measure of section 11 against a partner, tied to the case that justifies it.

    Periods are Kyiv calendar dates: in force from 00:00 Kyiv on ``start_date`` until
    00:00 Kyiv on ``end_date`` (exclusive), or until lifted. The end date is never moved
    to a business day: a sanction ending on a holiday ends on that date.
    """

    sanction_id: str
    partner_id: str
    case_id: str
    kind: SanctionKind
    start_date: date
    end_date: date | None
    parameters: SanctionParameters
    applied_by: str
    applied_time: datetime
    policy_version: str
    state: SanctionState = SanctionState.APPLIED
    lift: SanctionLift | None = None

    @property
    def starts_at(self) -> datetime:
        return kyiv_datetime(self.start_date)

    @property
    def scheduled_end_at(self) -> datetime | None:
        return kyiv_datetime(self.end_date) if self.end_date is not None else None

    @property
    def ends_at(self) -> datetime | None:
        """When it stops (stopped) holding: the lift if lifted, else the scheduled end."""
        if self.lift is not None:
            return self.lift.lifted_time
        return self.scheduled_end_at

    @property
    def is_permanent(self) -> bool:
        return self.end_date is None

    def is_active_at(self, instant: datetime) -> bool:
        ends_at = self.ends_at
        return self.starts_at <= instant and (ends_at is None or instant < ends_at)


def apply_sanction(
    *,
    case: ViolationCase,
    terms: SanctionTerms,
    partner_sanctions: Sequence[Sanction],
    sanction_id: str,
    applied_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[Sanction, SanctionApplied]:
    """Attach a catalogue sanction to a confirmed case (R-SAN-01), validated per kind."""
    if not case.is_confirmed or case.decision is None:
        raise FailedPrecondition(
            reason="CASE_NOT_CONFIRMED",
            message=f"case {case.case_id}: sanctions need a confirmed case (state {case.state})",
            rule="R-SAN-01",
        )
    terms = resolve_terms(terms, policy)  # R-SAN-02: a downgrade's default term
    validate_terms(terms, violation_type=case.violation_type, policy=policy)
    confirmed_on = kyiv_date(case.decision.decided_time)
    if terms.start_date < confirmed_on:
        raise InvalidArgument.for_field(
            "sanction.start_date",
            f"must not be before the case was confirmed ({confirmed_on.isoformat()})",
            reason="SANCTION_START_BEFORE_CONFIRMATION",
            rule="R-SAN-01",
        )
    sanction = Sanction(
        sanction_id=sanction_id,
        partner_id=case.partner_id,
        case_id=case.case_id,
        kind=terms.kind,
        start_date=terms.start_date,
        end_date=terms.end_date,
        parameters=terms.parameters,
        applied_by=applied_by,
        applied_time=now,
        policy_version=policy.version,
    )
    _refuse_overlap_within_case(sanction, partner_sanctions)
    event = SanctionApplied(
        sanction_id=sanction.sanction_id,
        partner_id=sanction.partner_id,
        case_id=sanction.case_id,
        violation_type=case.violation_type,
        kind=sanction.kind,
        start_date=sanction.start_date,
        end_date=sanction.end_date,
        parameters=sanction.parameters,
        applied_by=applied_by,
        applied_time=now,
        policy_version=policy.version,
    )
    return sanction, event


def _refuse_overlap_within_case(new: Sanction, partner_sanctions: Sequence[Sanction]) -> None:
    # Sanctions of one kind from different cases may overlap: each case is its own
    # decision and the kind holds while any of them does. Within one case an overlapping
    # second sanction of the same kind would stretch R-SAN-07's 12-month cap, so staff
    # lift the first and apply a new one instead.
    for other in partner_sanctions:
        if (
            other.case_id == new.case_id
            and other.kind is new.kind
            and other.state is SanctionState.APPLIED
            and _periods_overlap(other, new)
        ):
            raise FailedPrecondition(
                reason="SANCTION_OVERLAPS_SAME_CASE",
                message=(
                    f"case {new.case_id} already has {new.kind} {other.sanction_id} for an overlapping period; "
                    "lift it first"
                ),
                rule="R-SAN-01",
                metadata={"sanction_id": other.sanction_id},
            )


def _periods_overlap(a: Sanction, b: Sanction) -> bool:
    a_end, b_end = a.ends_at, b.ends_at
    return (b_end is None or a.starts_at < b_end) and (a_end is None or b.starts_at < a_end)


def sanctions_due_to_lift(sanctions: Iterable[Sanction], at: datetime) -> list[Sanction]:
    """The applied sanctions whose end has come by ``at``: lift them automatically (R-SAN-01)."""
    return sorted(
        (
            s
            for s in sanctions
            if s.state is SanctionState.APPLIED and s.scheduled_end_at is not None and s.scheduled_end_at <= at
        ),
        key=lambda s: (s.scheduled_end_at, s.sanction_id),
    )


def lift_at_end(sanction: Sanction, *, partner_sanctions: Sequence[Sanction], policy: ProgramPolicy) -> SanctionLifted:
    """Lift a sanction whose period ran out, as of its scheduled end (R-SAN-01).

    The lift is dated at the end itself, not when the job noticed it, so the history is
    exact even if the job ran late.
    """
    end = sanction.scheduled_end_at
    if end is None:
        raise FailedPrecondition(
            reason="SANCTION_HAS_NO_END",
            message=f"sanction {sanction.sanction_id} has no end date; only staff can lift it",
            rule="R-SAN-01",
        )
    return _lift(sanction, LiftReason.END_REACHED, "", SYSTEM_ACTOR, end, partner_sanctions, policy)


def lift_early(
    sanction: Sanction,
    *,
    note: str,
    lifted_by: str,
    now: datetime,
    partner_sanctions: Sequence[Sanction],
    policy: ProgramPolicy,
) -> SanctionLifted:
    """Staff lift a sanction before its end, saying why (R-SAN-01)."""
    if not note.strip():
        raise InvalidArgument.for_field("note", "an early lift says why", reason="LIFT_NOTE_REQUIRED", rule="R-SAN-01")
    end = sanction.scheduled_end_at
    if sanction.state is SanctionState.APPLIED and end is not None and end <= now:
        raise FailedPrecondition(
            reason="SANCTION_ALREADY_ENDED",
            message=f"sanction {sanction.sanction_id} ended on {sanction.end_date}; it is lifted automatically",
            rule="R-SAN-01",
        )
    return _lift(sanction, LiftReason.EARLY_BY_STAFF, note.strip(), lifted_by, now, partner_sanctions, policy)


def lift_for_upheld_appeal(
    case: ViolationCase,
    *,
    partner_sanctions: Sequence[Sanction],
    lifted_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> list[SanctionLifted]:
    """An upheld appeal overturns the case: every sanction of it still applied is lifted."""
    if case.appeal is None or case.appeal.decision is None or not case.appeal.decision.upheld:
        raise FailedPrecondition(
            reason="APPEAL_NOT_UPHELD",
            message=f"case {case.case_id}: sanctions are lifted on appeal only when it is upheld",
            rule="R-SAN-01",
        )
    events: list[SanctionLifted] = []
    for sanction in sorted(partner_sanctions, key=lambda s: (s.start_date, s.sanction_id)):
        if sanction.case_id != case.case_id or sanction.state is not SanctionState.APPLIED:
            continue
        end = sanction.scheduled_end_at
        if end is not None and end <= now:
            events.append(lift_at_end(sanction, partner_sanctions=partner_sanctions, policy=policy))
        else:
            events.append(
                _lift(
                    sanction,
                    LiftReason.APPEAL_UPHELD,
                    case.appeal.decision.reason,
                    lifted_by,
                    now,
                    partner_sanctions,
                    policy,
                )
            )
    return events


def _lift(
    sanction: Sanction,
    reason: LiftReason,
    note: str,
    lifted_by: str,
    at: datetime,
    partner_sanctions: Sequence[Sanction],
    policy: ProgramPolicy,
) -> SanctionLifted:
    if sanction.state is SanctionState.LIFTED:
        raise FailedPrecondition(
            reason="SANCTION_ALREADY_LIFTED",
            message=f"sanction {sanction.sanction_id} was lifted already",
            rule="R-SAN-01",
        )
    sanction.lift = SanctionLift(reason, note, lifted_by, at)
    sanction.state = SanctionState.LIFTED
    others = [s for s in partner_sanctions if s.sanction_id != sanction.sanction_id]
    return SanctionLifted(
        sanction_id=sanction.sanction_id,
        partner_id=sanction.partner_id,
        case_id=sanction.case_id,
        kind=sanction.kind,
        start_date=sanction.start_date,
        end_date=sanction.end_date,
        parameters=sanction.parameters,
        lift_reason=reason.value,
        lifted_by=lifted_by,
        lifted_time=at,
        kind_still_in_force=kind_in_force(others, sanction.kind, at),
        policy_version=policy.version,
    )


def active_sanctions(sanctions: Iterable[Sanction], at: datetime) -> list[Sanction]:
    """The sanctions holding at an instant, oldest start first (R-SAN-01)."""
    return sorted((s for s in sanctions if s.is_active_at(at)), key=lambda s: (s.start_date, s.sanction_id))


def active_sanctions_on(sanctions: Iterable[Sanction], day: date) -> list[Sanction]:
    """The sanctions holding at the start (00:00 Kyiv) of a program date."""
    return active_sanctions(sanctions, kyiv_datetime(day))


def kind_in_force(sanctions: Iterable[Sanction], kind: SanctionKind, at: datetime) -> bool:
    """Whether any sanction of ``kind`` holds at ``at`` (overlaps count once)."""
    return any(s.kind is kind and s.is_active_at(at) for s in sanctions)


def in_force_until(sanctions: Iterable[Sanction], kind: SanctionKind, at: datetime) -> datetime | None:
    """The end of the unbroken stretch of ``kind`` that holds at ``at``.

    Overlapping and back-to-back sanctions of one kind chain; the result is None when
    the kind does not hold at ``at`` or when the stretch has no end (a permanent one).
    Use :func:`kind_in_force` first to tell those apart.
    """
    of_kind = [s for s in sanctions if s.kind is kind]
    if not any(s.is_active_at(at) for s in of_kind):
        return None
    reach = at
    while True:
        covering = [s for s in of_kind if s.is_active_at(reach)]
        if not covering:
            return reach
        ends = [s.ends_at for s in covering]
        if any(end is None for end in ends):
            return None
        reach = max(end for end in ends if end is not None)
