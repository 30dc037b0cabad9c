"""Violation cases: opening, review, appeal (R-VIO-01, R-ETH-01, R-PRT-08)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from compliance_service.domain.cases import CaseState, ViolationCase, open_case
from compliance_service.domain.events import CaseConfirmed, CaseDismissed
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.violation_types import MysteryShopperKind, ViolationType
from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy

TODAY = date(2026, 3, 2)  # a Monday
HASH = "sha256:" + "ab" * 32
OpenedCase = Callable[..., ViolationCase]


def at(day: date, hour: int = 10) -> datetime:
    return kyiv_datetime(day, hour)


def _open(
    policy: ProgramPolicy, violation_type: ViolationType, evidence: Evidence, **kwargs: MysteryShopperKind
) -> ViolationCase:
    return open_case(
        case_id="case-1",
        partner_id="p-1",
        violation_type=violation_type,
        violation_date=TODAY,
        evidence=evidence,
        opened_by="staff-1",
        now=at(TODAY),
        policy=policy,
        **kwargs,
    )


def test_case_opens_for_review_with_type_partner_date_and_evidence(policy: ProgramPolicy) -> None:
    """R-VIO-01: staff record type, evidence, partner and date; the case waits for review."""
    evidence = Evidence(description="logo altered", references=("https://example.ua/shot",), file_hashes=(HASH,))
    case = _open(policy, ViolationType.OTHER, evidence)
    assert case.state is CaseState.OPEN
    assert (case.partner_id, case.violation_date, case.evidence) == ("p-1", TODAY, evidence)
    assert case.policy_version == policy.version


def test_each_ethics_rule_of_section_10_is_its_own_violation_type(policy: ProgramPolicy) -> None:
    """R-ETH-01: rules 10.1 and 10.3-10.16 (the document has no 10.2) are recordable types."""
    ethics = [t for t in ViolationType if t.is_ethics_rule]
    expected = ["ETHICS_10_1"] + [f"ETHICS_10_{n}" for n in range(3, 17)]
    assert [t.value for t in ethics] == expected
    for violation_type in ethics:
        case = _open(policy, violation_type, Evidence(description="evidence"))
        assert case.violation_type is violation_type


def test_brand_misuse_is_a_violation_type(policy: ProgramPolicy) -> None:
    """R-PRT-08: trademark misuse is recorded as a violation case."""
    case = _open(policy, ViolationType.BRAND_MISUSE, Evidence(description="logo on a reseller banner"))
    assert case.violation_type is ViolationType.BRAND_MISUSE


def test_case_without_a_description_is_refused(policy: ProgramPolicy) -> None:
    """R-VIO-01: a case rests on evidence."""
    with pytest.raises(InvalidArgument) as err:
        _open(policy, ViolationType.OTHER, Evidence(description="  "))
    assert err.value.reason == "EVIDENCE_EMPTY"
    assert err.value.violations[0].field == "evidence.description"


def test_attached_file_hash_must_be_a_sha256_digest(policy: ProgramPolicy) -> None:
    """R-VIO-01: attached files are referenced by their content hash."""
    with pytest.raises(InvalidArgument) as err:
        _open(policy, ViolationType.OTHER, Evidence(description="x", file_hashes=(HASH, "md5:abc")))
    assert err.value.violations[0].field == "evidence.file_hashes[1]"


def test_violation_date_in_the_future_is_refused(policy: ProgramPolicy) -> None:
    """R-VIO-01: a case records a violation that happened."""
    with pytest.raises(InvalidArgument) as err:
        open_case(
            case_id="c",
            partner_id="p-1",
            violation_type=ViolationType.OTHER,
            violation_date=date(2026, 3, 3),
            evidence=Evidence(description="x"),
            opened_by="s",
            now=at(TODAY),
            policy=policy,
        )
    assert err.value.reason == "VIOLATION_DATE_IN_FUTURE"


@pytest.mark.parametrize("kind", list(MysteryShopperKind))
def test_mystery_shopper_finding_of_each_kind_can_be_recorded(policy: ProgramPolicy, kind: MysteryShopperKind) -> None:
    """R-VIO-01: the five mystery-shopper findings of section 1.4 are a case type with a kind."""
    wait = 45 if kind is MysteryShopperKind.ANSWER_WAIT_TOO_LONG else None
    case = _open(
        policy,
        ViolationType.MYSTERY_SHOPPER,
        Evidence(description="call log", answer_wait_seconds=wait),
        mystery_shopper_kind=kind,
    )
    assert case.mystery_shopper_kind is kind


def test_mystery_shopper_case_without_its_kind_is_refused(policy: ProgramPolicy) -> None:
    """R-VIO-01: a mystery-shopper finding names which finding it is."""
    with pytest.raises(InvalidArgument) as err:
        _open(policy, ViolationType.MYSTERY_SHOPPER, Evidence(description="call"))
    assert err.value.reason == "MYSTERY_SHOPPER_KIND_REQUIRED"


def test_mystery_shopper_kind_on_another_type_is_refused(policy: ProgramPolicy) -> None:
    """R-VIO-01: only mystery-shopper cases carry a finding kind."""
    with pytest.raises(InvalidArgument) as err:
        _open(
            policy,
            ViolationType.OTHER,
            Evidence(description="call"),
            mystery_shopper_kind=MysteryShopperKind.PHONE_NOT_WORKING,
        )
    assert err.value.reason == "MYSTERY_SHOPPER_KIND_NOT_APPLICABLE"


def test_answer_wait_of_31_seconds_is_a_finding(policy: ProgramPolicy) -> None:
    """R-VIO-01: waiting more than 30 s (policy max_answer_wait_seconds) is a finding."""
    assert policy.mystery_shopper.max_answer_wait_seconds == 30
    case = _open(
        policy,
        ViolationType.MYSTERY_SHOPPER,
        Evidence(description="call at 11:02", answer_wait_seconds=31),
        mystery_shopper_kind=MysteryShopperKind.ANSWER_WAIT_TOO_LONG,
    )
    assert case.evidence.answer_wait_seconds == 31


def test_answer_wait_of_exactly_30_seconds_is_not_a_finding(policy: ProgramPolicy) -> None:
    """R-VIO-01: only a wait over the limit is a violation; 30 s is within it."""
    with pytest.raises(InvalidArgument) as err:
        _open(
            policy,
            ViolationType.MYSTERY_SHOPPER,
            Evidence(description="call", answer_wait_seconds=30),
            mystery_shopper_kind=MysteryShopperKind.ANSWER_WAIT_TOO_LONG,
        )
    assert err.value.reason == "ANSWER_WAIT_WITHIN_LIMIT"


def test_answer_wait_finding_needs_the_measured_seconds(policy: ProgramPolicy) -> None:
    """R-VIO-01: the measured wait is the evidence of the finding."""
    with pytest.raises(InvalidArgument) as err:
        _open(
            policy,
            ViolationType.MYSTERY_SHOPPER,
            Evidence(description="call"),
            mystery_shopper_kind=MysteryShopperKind.ANSWER_WAIT_TOO_LONG,
        )
    assert err.value.reason == "ANSWER_WAIT_REQUIRED"


def test_dumping_case_records_observed_and_list_price(policy: ProgramPolicy) -> None:
    """R-PRC-01: a dumping case carries the price charged and the list price."""
    evidence = Evidence(description="offer", observed_price_uah=Decimal("15000"), list_price_uah=Decimal("17900"))
    assert _open(policy, ViolationType.DUMPING, evidence).evidence.observed_price_uah == Decimal(15000)
    with pytest.raises(InvalidArgument) as err:
        _open(policy, ViolationType.DUMPING, Evidence(description="offer", list_price_uah=Decimal(17900)))
    assert err.value.reason == "DUMPING_PRICES_REQUIRED"


def test_dumping_case_at_the_list_price_is_refused(policy: ProgramPolicy) -> None:
    """R-PRC-01: a price not below list is not dumping."""
    evidence = Evidence(description="offer", observed_price_uah=Decimal(17900), list_price_uah=Decimal(17900))
    with pytest.raises(InvalidArgument) as err:
        _open(policy, ViolationType.DUMPING, evidence)
    assert err.value.reason == "DUMPING_PRICE_NOT_BELOW_LIST"


def test_staff_confirm_an_open_case(policy: ProgramPolicy) -> None:
    """R-VIO-01: staff confirm; the confirmation is an event with the policy version."""
    case = _open(policy, ViolationType.ETHICS_10_14, Evidence(description="spam"))
    event = case.confirm(reason="verified", decided_by="staff-2", now=at(TODAY, 12), policy=policy)
    assert case.state is CaseState.CONFIRMED and case.is_confirmed
    assert isinstance(event, CaseConfirmed)
    assert (event.case_id, event.partner_id, event.policy_version) == ("case-1", "p-1", policy.version)


def test_staff_dismiss_an_open_case_with_a_reason(policy: ProgramPolicy) -> None:
    """R-VIO-01: a dismissal says why."""
    case = _open(policy, ViolationType.OTHER, Evidence(description="x"))
    with pytest.raises(InvalidArgument) as err:
        case.dismiss(reason=" ", decided_by="staff-2", now=at(TODAY, 12), policy=policy)
    assert err.value.reason == "CASE_DISMISSAL_REASON_REQUIRED"
    event = case.dismiss(reason="not the partner's site", decided_by="staff-2", now=at(TODAY, 12), policy=policy)
    assert isinstance(event, CaseDismissed) and event.reason == "not the partner's site"
    assert case.state is CaseState.DISMISSED and not case.is_confirmed


def test_a_decided_case_cannot_be_decided_again(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: review happens once; the decision stands."""
    case = confirmed_case()
    with pytest.raises(FailedPrecondition) as err:
        case.dismiss(reason="changed mind", decided_by="s", now=at(TODAY, 15), policy=policy)
    assert err.value.reason == "CASE_NOT_OPEN"


def test_appeal_deadline_is_counted_in_business_days(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: the appeal window is deadlines.violation_appeal_window_days business days."""
    case = confirmed_case(confirmed_on=date(2026, 3, 6))  # Friday; 8 March (Sunday) is a holiday
    assert policy.deadlines.violation_appeal_window_days == 10
    assert case.appeal_deadline(policy) == date(2026, 3, 20)


def test_partner_appeals_within_the_window(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: an appeal on the last day of the window is accepted."""
    case = confirmed_case(confirmed_on=date(2026, 3, 6))
    appeal = case.file_appeal(
        statement="the price was a typo", filed_by="p-1-main", now=at(date(2026, 3, 20), 23), policy=policy
    )
    assert case.state is CaseState.APPEALED
    assert appeal.deadline_date == date(2026, 3, 20)


def test_appeal_after_the_window_is_refused(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: the day after the window closes the appeal is refused."""
    case = confirmed_case(confirmed_on=date(2026, 3, 6))
    with pytest.raises(FailedPrecondition) as err:
        case.file_appeal(statement="late", filed_by="p-1-main", now=at(date(2026, 3, 21)), policy=policy)
    assert err.value.reason == "APPEAL_WINDOW_CLOSED"
    assert err.value.metadata["deadline_date"] == "2026-03-20"


def test_a_case_is_appealed_only_once(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: after the appeal is decided, no second appeal."""
    case = confirmed_case()
    case.file_appeal(statement="first", filed_by="p", now=at(TODAY, 12), policy=policy)
    case.decide_appeal(upheld=False, reason="evidence is clear", decided_by="s", now=at(TODAY, 13))
    assert case.state is CaseState.APPEAL_REJECTED and case.is_confirmed
    with pytest.raises(FailedPrecondition) as err:
        case.file_appeal(statement="second", filed_by="p", now=at(TODAY, 14), policy=policy)
    assert err.value.reason == "CASE_NOT_APPEALABLE"


def test_open_or_dismissed_case_cannot_be_appealed(policy: ProgramPolicy) -> None:
    """R-VIO-01: only a confirmation is appealed."""
    case = _open(policy, ViolationType.OTHER, Evidence(description="x"))
    with pytest.raises(FailedPrecondition):
        case.file_appeal(statement="why", filed_by="p", now=at(TODAY), policy=policy)


def test_upheld_appeal_overturns_the_case(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: staff uphold an appeal with a reason; the case no longer stands."""
    case = confirmed_case()
    case.file_appeal(statement="not us", filed_by="p", now=at(TODAY, 12), policy=policy)
    with pytest.raises(InvalidArgument):
        case.decide_appeal(upheld=True, reason="", decided_by="s", now=at(TODAY, 13))
    decision = case.decide_appeal(upheld=True, reason="wrong partner", decided_by="s", now=at(TODAY, 13))
    assert decision.upheld and case.state is CaseState.APPEAL_UPHELD and not case.is_confirmed
    assert case.appeal is not None and case.appeal.decision == decision


def test_appeal_decision_needs_a_pending_appeal(policy: ProgramPolicy, confirmed_case: OpenedCase) -> None:
    """R-VIO-01: there is nothing to decide without an appeal."""
    with pytest.raises(FailedPrecondition) as err:
        confirmed_case().decide_appeal(upheld=True, reason="r", decided_by="s", now=at(TODAY, 13))
    assert err.value.reason == "CASE_NOT_UNDER_APPEAL"
