"""Simulate a candidate policy over every partner (R-POL-01): read-only, set-based."""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import job_instant, kyiv_date, kyiv_datetime
from ppcore.errors import FieldViolation, InvalidArgument
from ppcore.policy import PolicyError, ProgramPolicy, parse_policy
from ppcore.scheduler import parse_iso_date
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.policy_simulation import SimulationReport, simulate_policy
from status_service.domain.policy_versions import policy_in_force

POLICY_FIELD = "policy_document"
DATE_FIELD = "as_of_date"


def candidate_policy(text: str) -> ProgramPolicy:
    """Validate the candidate exactly as the policy file at start-up; refuse naming each bad field."""
    if not text.strip():
        raise InvalidArgument.for_field(
            POLICY_FIELD, "is required: the full candidate policy (R-POL-01)", reason="FIELD_REQUIRED", rule="R-POL-01"
        )
    try:
        return parse_policy(text, "candidate")
    except PolicyError as exc:
        paths = tuple(f"{POLICY_FIELD}.{f}" if f else POLICY_FIELD for f in exc.fields) or (POLICY_FIELD,)
        raise InvalidArgument(
            reason="INVALID_POLICY",
            message=f"{POLICY_FIELD}: {exc} (R-POL-01)",
            rule="R-POL-01",
            violations=tuple(FieldViolation(p, str(exc)) for p in dict.fromkeys(paths)),
        ) from None


def simulated_instant(text: str, now: datetime) -> tuple[date, datetime]:
    """The day simulated and the instant its review acts as of: now today, a past day's end, a future day's start."""
    if not text:
        return kyiv_date(now), now
    day = parse_iso_date(text, DATE_FIELD)
    if day > kyiv_date(now):
        return day, kyiv_datetime(day)
    return day, job_instant(day, now)


async def simulate(
    uow: StatusUnitOfWork, candidate_text: str, as_of_text: str, now: datetime, base: ProgramPolicy
) -> SimulationReport:
    """Every partner under the candidate and under the policy in force on the day (the file's or a
    scheduled version); nothing written (R-POL-01)."""
    candidate = candidate_policy(candidate_text)
    day, instant = simulated_instant(as_of_text, now)
    in_force = policy_in_force(base, await uow.policy_versions.every(), day)
    partners = await uow.partners.every()
    courses = await uow.certificates.active_courses_of_attached_logins()
    return simulate_policy(partners, courses, instant, in_force, candidate)
