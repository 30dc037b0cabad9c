"""The three forms of ending participation (R-PRT-06) and their date rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ppcore.clock import add_months
from ppcore.errors import InvalidArgument
from status_service.domain.enums import TerminationForm


@dataclass(frozen=True)
class Termination:
    form: TerminationForm
    notice_date: date
    effective_date: date
    reason: str
    decided_time: datetime
    violation_case_id: str = ""
    sanction_id: str = ""
    # True once PartnerTerminated has been recorded (on or after the effective date).
    completed: bool = False

    def in_effect(self, on: date) -> bool:
        """Terminated from the effective date on; authorization letters lapse that day (R-PRT-07)."""
        return on >= self.effective_date


def plan_termination(
    form: TerminationForm,
    notice_date: date,
    effective_date: date,
    reason: str,
    now: datetime,
    *,
    notice_months: int,
    violation_case_id: str = "",
    sanction_id: str = "",
) -> Termination:
    """Validate a termination of one of the three forms (R-PRT-06)."""
    if effective_date < notice_date:
        raise InvalidArgument.for_field(
            "effective_date", "cannot precede the notice date (R-PRT-06)", reason="INVALID_PERIOD", rule="R-PRT-06"
        )
    if form is TerminationForm.PARTNER_NOTICE:
        earliest = add_months(notice_date, notice_months)
        if effective_date < earliest:
            raise InvalidArgument.for_field(
                "effective_date",
                f"a partner's notice needs an end date at least {notice_months} month(s) after the notice, "
                f"i.e. on or after {earliest.isoformat()} (R-PRT-06)",
                reason="TERMINATION_NOTICE_TOO_SHORT",
                rule="R-PRT-06",
            )
    if form is TerminationForm.PROGRAM_DECISION and not (violation_case_id or sanction_id or reason.strip()):
        raise InvalidArgument.for_field(
            "violation_case_id",
            "a program decision names the violation it answers (R-PRT-06)",
            reason="VIOLATION_REQUIRED",
            rule="R-PRT-06",
        )
    return Termination(form, notice_date, effective_date, reason, now, violation_case_id, sanction_id)
