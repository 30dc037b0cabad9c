"""Course certificates of logins and how they count for a partner (R-EMP-06)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from ppcore.errors import AlreadyExists, FailedPrecondition, InvalidArgument


@dataclass(frozen=True)
class Certificate:
    """A certificate belongs to a login (from the education portal), not to a partner."""

    certificate_id: str
    login: str
    course_code: str
    issued_date: date
    revoked_time: datetime | None = None
    revoke_reason: str = ""

    @property
    def is_active(self) -> bool:
        return self.revoked_time is None


def record_certificate(
    existing: Certificate | None,
    certificate_id: str,
    login: str,
    course_code: str,
    issued_date: date,
    today: date,
) -> Certificate | None:
    """The certificate to store, or None when ``existing`` is the same one (idempotent by id).

    A certificate is issued "після успішного тестування" (4.2): one dated after ``today``
    (program time) has not been earned yet and is refused, so it cannot count now.
    """
    for field_path, value in (("certificate_id", certificate_id), ("login", login), ("course_code", course_code)):
        if not value.strip():
            raise InvalidArgument.for_field(
                field_path, "is required (R-EMP-06)", reason="FIELD_REQUIRED", rule="R-EMP-06"
            )
    if issued_date > today:
        raise InvalidArgument.for_field(
            "issued_date",
            f"{issued_date.isoformat()} is after today ({today.isoformat()}, program time): a certificate "
            "counts from the day it is issued (R-EMP-06)",
            reason="CERTIFICATE_DATED_IN_FUTURE",
            rule="R-EMP-06",
        )
    if existing is not None:
        if (existing.login, existing.course_code) == (login, course_code):
            return None
        raise AlreadyExists(
            reason="CERTIFICATE_ID_CONFLICT",
            message=f"certificate_id: {certificate_id} is already recorded for {existing.login}/{existing.course_code}",
            rule="R-EMP-06",
        )
    return Certificate(certificate_id, login, course_code, issued_date)


def revoke_certificate(certificate: Certificate, reason: str, now: datetime) -> Certificate:
    if not certificate.is_active:
        raise FailedPrecondition(
            reason="CERTIFICATE_ALREADY_REVOKED",
            message=f"certificate {certificate.certificate_id} is already revoked",
            rule="R-EMP-06",
        )
    return replace(certificate, revoked_time=now, revoke_reason=reason)


def courses_by_login(certificates: Iterable[Certificate]) -> dict[str, frozenset[str]]:
    """Active courses per login; a second certificate of the same course adds nothing (R-EMP-06)."""
    held: dict[str, set[str]] = {}
    for certificate in certificates:
        if certificate.is_active:
            held.setdefault(certificate.login, set()).add(certificate.course_code)
    return {login: frozenset(courses) for login, courses in held.items()}


def certified_employee_count(
    attached_logins: Iterable[str], courses: Mapping[str, frozenset[str]], required_courses: frozenset[str]
) -> int:
    """Attached logins holding every required course (and at least one certificate).

    Detached logins never count (R-EMP-06).
    """
    count = 0
    for login in set(attached_logins):
        held = courses.get(login, frozenset())
        if held and required_courses <= held:
            count += 1
    return count
