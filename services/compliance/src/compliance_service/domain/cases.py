"""Violation cases: opened with evidence, confirmed or dismissed, appealed (R-VIO-01, R-ETH-01)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from compliance_service.domain.events import CaseConfirmed, CaseDismissed
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.violation_types import MysteryShopperKind, ViolationType
from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy


class CaseState(StrEnum):
    OPEN = "OPEN"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"
    APPEALED = "APPEALED"
    APPEAL_UPHELD = "APPEAL_UPHELD"
    APPEAL_REJECTED = "APPEAL_REJECTED"


# States in which the violation stands as confirmed and may carry sanctions (R-SAN-01).
_CONFIRMED_STATES = frozenset({CaseState.CONFIRMED, CaseState.APPEALED, CaseState.APPEAL_REJECTED})


@dataclass(frozen=True)
class CaseDecision:
    """Staff's confirmation or dismissal of an open case."""

    confirmed: bool
    reason: str
    decided_by: str
    decided_time: datetime
    policy_version: str


@dataclass(frozen=True)
class AppealDecision:
    upheld: bool
    reason: str
    decided_by: str
    decided_time: datetime


@dataclass(frozen=True)
class Appeal:
    """The partner's appeal against a confirmation, filed within the policy window."""

    statement: str
    filed_by: str
    filed_time: datetime
    deadline_date: date
    decision: AppealDecision | None = None


@dataclass
class ViolationCase:
    """One violation, reviewed individually (R-VIO-01); the aggregate root of its decisions."""

    case_id: str
    partner_id: str
    violation_type: ViolationType
    mystery_shopper_kind: MysteryShopperKind | None
    violation_date: date
    evidence: Evidence
    opened_by: str
    opened_time: datetime
    policy_version: str
    state: CaseState = CaseState.OPEN
    decision: CaseDecision | None = None
    appeal: Appeal | None = None

    @property
    def is_confirmed(self) -> bool:
        """True while the confirmation stands (confirmed, under appeal, appeal rejected)."""
        return self.state in _CONFIRMED_STATES

    def confirm(self, *, reason: str, decided_by: str, now: datetime, policy: ProgramPolicy) -> CaseConfirmed:
        """Staff confirm the violation (R-VIO-01)."""
        self._require_open("confirm")
        self.decision = CaseDecision(True, reason.strip(), decided_by, now, policy.version)
        self.state = CaseState.CONFIRMED
        return CaseConfirmed(
            case_id=self.case_id,
            partner_id=self.partner_id,
            violation_type=self.violation_type,
            mystery_shopper_kind=self.mystery_shopper_kind,
            violation_date=self.violation_date,
            reason=self.decision.reason,
            decided_by=decided_by,
            confirmed_time=now,
            policy_version=policy.version,
        )

    def dismiss(self, *, reason: str, decided_by: str, now: datetime, policy: ProgramPolicy) -> CaseDismissed:
        """Staff dismiss the case; a dismissal always says why (R-VIO-01)."""
        self._require_open("dismiss")
        _require_text("reason", reason, "CASE_DISMISSAL_REASON_REQUIRED")
        self.decision = CaseDecision(False, reason.strip(), decided_by, now, policy.version)
        self.state = CaseState.DISMISSED
        return CaseDismissed(
            case_id=self.case_id,
            partner_id=self.partner_id,
            violation_type=self.violation_type,
            reason=self.decision.reason,
            decided_by=decided_by,
            dismissed_time=now,
            policy_version=policy.version,
        )

    def appeal_deadline(self, policy: ProgramPolicy) -> date:
        """Last Kyiv date to appeal: the policy's business days after confirmation (R-VIO-01)."""
        if self.decision is None or not self.decision.confirmed:
            raise FailedPrecondition(
                reason="CASE_NOT_CONFIRMED",
                message=f"case {self.case_id}: only a confirmed case can be appealed",
                rule="R-VIO-01",
            )
        confirmed_on = kyiv_date(self.decision.decided_time)
        return policy.business_calendar().add_business_days(confirmed_on, policy.deadlines.violation_appeal_window_days)

    def file_appeal(self, *, statement: str, filed_by: str, now: datetime, policy: ProgramPolicy) -> Appeal:
        """The partner appeals a confirmation, once, within the window (R-VIO-01)."""
        if self.state is not CaseState.CONFIRMED:
            raise FailedPrecondition(
                reason="CASE_NOT_APPEALABLE",
                message=f"case {self.case_id}: state {self.state} cannot be appealed; only CONFIRMED can, once",
                rule="R-VIO-01",
            )
        _require_text("statement", statement, "APPEAL_STATEMENT_REQUIRED")
        deadline = self.appeal_deadline(policy)
        if kyiv_date(now) > deadline:
            raise FailedPrecondition(
                reason="APPEAL_WINDOW_CLOSED",
                message=f"case {self.case_id}: the appeal window closed on {deadline.isoformat()}",
                rule="R-VIO-01",
                metadata={"deadline_date": deadline.isoformat()},
            )
        self.appeal = Appeal(statement.strip(), filed_by, now, deadline)
        self.state = CaseState.APPEALED
        return self.appeal

    def decide_appeal(self, *, upheld: bool, reason: str, decided_by: str, now: datetime) -> AppealDecision:
        """Staff decide the appeal. Upheld overturns the case: the caller lifts its sanctions
        with :func:`compliance_service.domain.sanctions.lift_for_upheld_appeal` (R-SAN-01)."""
        if self.state is not CaseState.APPEALED or self.appeal is None:
            raise FailedPrecondition(
                reason="CASE_NOT_UNDER_APPEAL",
                message=f"case {self.case_id}: state {self.state} has no pending appeal",
                rule="R-VIO-01",
            )
        _require_text("reason", reason, "APPEAL_DECISION_REASON_REQUIRED")
        decision = AppealDecision(upheld, reason.strip(), decided_by, now)
        self.appeal = Appeal(
            self.appeal.statement, self.appeal.filed_by, self.appeal.filed_time, self.appeal.deadline_date, decision
        )
        self.state = CaseState.APPEAL_UPHELD if upheld else CaseState.APPEAL_REJECTED
        return decision

    def _require_open(self, action: str) -> None:
        if self.state is not CaseState.OPEN:
            raise FailedPrecondition(
                reason="CASE_NOT_OPEN",
                message=f"case {self.case_id}: cannot {action} a case in state {self.state}",
                rule="R-VIO-01",
            )


def open_case(
    *,
    case_id: str,
    partner_id: str,
    violation_type: ViolationType,
    violation_date: date,
    evidence: Evidence,
    opened_by: str,
    now: datetime,
    policy: ProgramPolicy,
    mystery_shopper_kind: MysteryShopperKind | None = None,
) -> ViolationCase:
    """Record a violation with its evidence for individual review (R-VIO-01, R-ETH-01)."""
    _require_text("partner_id", partner_id, "PARTNER_REQUIRED")
    if violation_date > kyiv_date(now):
        raise InvalidArgument.for_field(
            "violation_date", "must not be in the future", reason="VIOLATION_DATE_IN_FUTURE", rule="R-VIO-01"
        )
    evidence.validate()
    _check_mystery_shopper(violation_type, mystery_shopper_kind, evidence, policy)
    if violation_type is ViolationType.DUMPING:
        _check_dumping_evidence(evidence)
    return ViolationCase(
        case_id=case_id,
        partner_id=partner_id,
        violation_type=violation_type,
        mystery_shopper_kind=mystery_shopper_kind,
        violation_date=violation_date,
        evidence=evidence,
        opened_by=opened_by,
        opened_time=now,
        policy_version=policy.version,
    )


def _check_mystery_shopper(
    violation_type: ViolationType,
    kind: MysteryShopperKind | None,
    evidence: Evidence,
    policy: ProgramPolicy,
) -> None:
    if violation_type is not ViolationType.MYSTERY_SHOPPER:
        if kind is not None:
            raise InvalidArgument.for_field(
                "mystery_shopper_kind",
                "is only for MYSTERY_SHOPPER cases",
                reason="MYSTERY_SHOPPER_KIND_NOT_APPLICABLE",
                rule="R-VIO-01",
            )
    elif kind is None:
        raise InvalidArgument.for_field(
            "mystery_shopper_kind",
            "a mystery-shopper finding names its kind",
            reason="MYSTERY_SHOPPER_KIND_REQUIRED",
            rule="R-VIO-01",
        )
    measured = evidence.answer_wait_seconds
    if kind is MysteryShopperKind.ANSWER_WAIT_TOO_LONG:
        limit = policy.mystery_shopper.max_answer_wait_seconds
        if measured is None:
            raise InvalidArgument.for_field(
                "evidence.answer_wait_seconds",
                "the measured wait is the evidence of this finding",
                reason="ANSWER_WAIT_REQUIRED",
                rule="R-VIO-01",
            )
        if measured <= limit:
            raise InvalidArgument.for_field(
                "evidence.answer_wait_seconds",
                f"{measured} s is within the {limit} s limit: only a longer wait is a finding",
                reason="ANSWER_WAIT_WITHIN_LIMIT",
                rule="R-VIO-01",
            )
    elif measured is not None:
        raise InvalidArgument.for_field(
            "evidence.answer_wait_seconds",
            "is only evidence of an ANSWER_WAIT_TOO_LONG finding",
            reason="ANSWER_WAIT_NOT_APPLICABLE",
            rule="R-VIO-01",
        )


def _check_dumping_evidence(evidence: Evidence) -> None:
    observed, listed = evidence.observed_price_uah, evidence.list_price_uah
    if observed is None or listed is None:
        raise InvalidArgument.for_field(
            "evidence.observed_price_uah" if observed is None else "evidence.list_price_uah",
            "a dumping case records the observed and the list price",
            reason="DUMPING_PRICES_REQUIRED",
            rule="R-PRC-01",
        )
    if observed < listed:
        return
    # R-PRC-02: at or above list it is dumping only as a hidden discount, with its evidence.
    if not evidence.hidden_discount:
        raise InvalidArgument.for_field(
            "evidence.observed_price_uah",
            f"{observed} is not below the list price {listed}: not dumping unless the evidence shows a "
            "hidden discount (evidence.rebate_uah or evidence.free_extras)",
            reason="DUMPING_PRICE_NOT_BELOW_LIST",
            rule="R-PRC-02",
        )
    rebate = evidence.rebate_uah
    if rebate is not None and not evidence.free_extras.strip() and observed - rebate >= listed:
        raise InvalidArgument.for_field(
            "evidence.rebate_uah",
            f"{observed} less the rebate {rebate} is still not below the list price {listed}: not dumping",
            reason="HIDDEN_DISCOUNT_NOT_BELOW_LIST",
            rule="R-PRC-02",
        )


def _require_text(field_path: str, value: str, reason: str) -> None:
    if not value.strip():
        raise InvalidArgument.for_field(field_path, "must not be empty", reason=reason, rule="R-VIO-01")
