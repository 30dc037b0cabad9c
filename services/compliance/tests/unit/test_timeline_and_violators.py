"""A partner's sanction timeline (R-SAN-01) and the public violators list (R-SAN-06)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from compliance_service.domain.cases import ViolationCase
from compliance_service.domain.sanction_catalogue import SanctionKind, SanctionTerms
from compliance_service.domain.sanctions import Sanction, apply_sanction, lift_at_end, lift_early
from compliance_service.domain.timeline import TimelineChange, sanction_timeline
from compliance_service.domain.violation_types import ViolationType
from compliance_service.domain.violators import violators_list
from ppcore.clock import kyiv_datetime
from ppcore.policy import ProgramPolicy

OpenedCase = Callable[..., ViolationCase]
D0 = date(2026, 3, 2)


def at(day: date, hour: int = 10) -> datetime:
    return kyiv_datetime(day, hour)


def _apply(
    policy: ProgramPolicy,
    case: ViolationCase,
    kind: SanctionKind,
    start: date,
    end: date | None,
    sanction_id: str,
    now: datetime,
) -> Sanction:
    sanction, _ = apply_sanction(
        case=case,
        terms=SanctionTerms(kind, start, end),
        partner_sanctions=[],
        sanction_id=sanction_id,
        applied_by="staff",
        now=now,
        policy=policy,
    )
    return sanction


def test_timeline_shows_every_application_and_lift_in_order(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-01: every sanction stays visible in the history, lifted ones included."""
    case = confirmed_case()
    block = _apply(policy, case, SanctionKind.DISCOUNT_BLOCK, D0, date(2026, 6, 2), "s-1", at(D0, 11))
    refusal = _apply(policy, case, SanctionKind.POINTS_REFUSAL, D0, None, "s-2", at(D0, 12))
    sanctions = [refusal, block]
    lift_at_end(block, partner_sanctions=sanctions, policy=policy)
    lift_early(refusal, note="n", lifted_by="s", now=at(date(2026, 4, 1)), partner_sanctions=sanctions, policy=policy)
    entries = sanction_timeline(sanctions)
    assert [(e.sanction.sanction_id, e.change) for e in entries] == [
        ("s-1", TimelineChange.APPLIED),
        ("s-2", TimelineChange.APPLIED),
        ("s-2", TimelineChange.LIFTED),
        ("s-1", TimelineChange.LIFTED),
    ]
    assert entries[-1].time == kyiv_datetime(date(2026, 6, 2))


def test_violators_list_shows_partners_listed_at_the_moment(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-06: partners with a VIOLATORS_LIST sanction in force, newest first, no evidence."""
    dumping = confirmed_case(case_id="c-1", partner_id="p-1", violation_type=ViolationType.DUMPING)
    spam = confirmed_case(case_id="c-2", partner_id="p-2", violation_type=ViolationType.ETHICS_10_14)
    ended = confirmed_case(case_id="c-3", partner_id="p-3")
    sanctions = [
        _apply(policy, dumping, SanctionKind.VIOLATORS_LIST, D0, date(2026, 9, 2), "s-1", at(D0, 11)),
        _apply(policy, spam, SanctionKind.VIOLATORS_LIST, date(2026, 3, 10), None, "s-2", at(D0, 11)),
        _apply(policy, ended, SanctionKind.VIOLATORS_LIST, D0, date(2026, 3, 5), "s-3", at(D0, 11)),
        _apply(policy, ended, SanctionKind.DISCOUNT_BLOCK, D0, date(2026, 9, 2), "s-4", at(D0, 11)),
    ]
    types = {"c-1": ViolationType.DUMPING, "c-2": ViolationType.ETHICS_10_14, "c-3": ViolationType.OTHER}
    entries = violators_list(sanctions, types, at(date(2026, 4, 1)))
    assert [(e.partner_id, e.violation_type, e.listed_until) for e in entries] == [
        ("p-2", ViolationType.ETHICS_10_14, None),
        ("p-1", ViolationType.DUMPING, date(2026, 9, 2)),
    ]


def test_partner_listed_by_two_cases_appears_once(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-SAN-06: one line per partner, until the latest of its listings ends."""
    first = confirmed_case(case_id="c-1")
    second = confirmed_case(case_id="c-2", confirmed_on=date(2026, 3, 9))
    sanctions = [
        _apply(policy, first, SanctionKind.VIOLATORS_LIST, D0, date(2026, 12, 1), "s-1", at(D0, 11)),
        _apply(policy, second, SanctionKind.VIOLATORS_LIST, date(2026, 3, 9), date(2026, 6, 1), "s-2", at(D0, 11)),
    ]
    entries = violators_list(sanctions, {}, at(date(2026, 4, 1)))
    assert len(entries) == 1
    assert (entries[0].case_id, entries[0].listed_since, entries[0].listed_until) == (
        "c-2",
        date(2026, 3, 9),
        date(2026, 12, 1),
    )
