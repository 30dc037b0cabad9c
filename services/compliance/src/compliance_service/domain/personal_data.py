"""Personal-data requests and their business-day deadlines (R-PD-01..05, annex 1)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from compliance_service.domain.events import PersonalDataErasureRequested
from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.personal_data import LegalBasis, mask_email, mask_phone, mask_text
from ppcore.policy import ProgramPolicy


class PersonalDataRequestKind(StrEnum):
    CONFIRM_LEGAL_BASIS = "CONFIRM_LEGAL_BASIS"  # R-PD-02, annex 1 p.5
    STOP_PROCESSING = "STOP_PROCESSING"  # R-PD-03, annex 1 p.7
    COMPLAINT_FORWARD = "COMPLAINT_FORWARD"  # R-PD-04, annex 1 p.9


_RULE_BY_KIND = {
    PersonalDataRequestKind.CONFIRM_LEGAL_BASIS: "R-PD-02",
    PersonalDataRequestKind.STOP_PROCESSING: "R-PD-03",
    PersonalDataRequestKind.COMPLAINT_FORWARD: "R-PD-04",
}


class PersonalDataRequestState(StrEnum):
    OPEN = "OPEN"
    COMPLETED = "COMPLETED"


def deadline_business_days(kind: PersonalDataRequestKind, policy: ProgramPolicy) -> int:
    """Business days to answer a request of ``kind``, from the policy (R-PD-02..04)."""
    deadlines = policy.deadlines
    return {
        PersonalDataRequestKind.CONFIRM_LEGAL_BASIS: deadlines.pd_legal_basis_days,
        PersonalDataRequestKind.STOP_PROCESSING: deadlines.pd_stop_processing_days,
        PersonalDataRequestKind.COMPLAINT_FORWARD: deadlines.pd_complaint_forward_days,
    }[kind]


@dataclass(frozen=True)
class DataSubject:
    """The person a request is about, by the identifiers the services know them by."""

    login: str = ""
    email: str = ""
    phone: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.login or self.email or self.phone)

    def normalized(self) -> DataSubject:
        phone = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return DataSubject(self.login.strip(), self.email.strip().lower(), phone)

    def fingerprint(self) -> str:
        """A one-way digest that lets a repeat request be recognised without the person."""
        joined = "\x1f".join((self.login, self.email, self.phone))
        return "sha256:" + hashlib.sha256(joined.encode()).hexdigest()

    def masked(self) -> DataSubject:
        """What a viewer without a right to the personal data may see (R-PD-01)."""
        return DataSubject(mask_text(self.login), mask_email(self.email), mask_phone(self.phone))


@dataclass
class PersonalDataRequest:
    """A request under the personal-data annex, with its deadline tracked (R-PD-05)."""

    pd_request_id: str
    kind: PersonalDataRequestKind
    partner_id: str
    subject: DataSubject
    description: str
    received_date: date
    due_date: date
    opened_by: str
    opened_time: datetime
    policy_version: str
    # R-PD-01: why the person's identifiers are held here (answering the request is the law's duty).
    legal_basis: LegalBasis = LegalBasis.LEGAL_OBLIGATION
    state: PersonalDataRequestState = PersonalDataRequestState.OPEN
    completed_by: str = ""
    completed_time: datetime | None = None
    completion_note: str = ""
    # Set once the subject's identifiers are erased here too (R-PD-03).
    subject_fingerprint: str = ""

    def is_overdue(self, today: date) -> bool:
        """Open past its due date (R-PD-05). The due date itself is still on time."""
        return self.state is PersonalDataRequestState.OPEN and today > self.due_date

    @property
    def completed_late(self) -> bool:
        return self.completed_time is not None and kyiv_date(self.completed_time) > self.due_date

    def complete(
        self, *, note: str, completed_by: str, now: datetime, policy: ProgramPolicy
    ) -> PersonalDataErasureRequested | None:
        """Close the request. Completing STOP_PROCESSING asks every service to erase or
        anonymise the person (R-PD-03) and drops the identifiers from this record too,
        keeping only a fingerprint; the event carries them to the other services."""
        rule = _RULE_BY_KIND[self.kind]
        if self.state is not PersonalDataRequestState.OPEN:
            raise FailedPrecondition(
                reason="PD_REQUEST_NOT_OPEN",
                message=f"personal-data request {self.pd_request_id} is {self.state}",
                rule=rule,
            )
        if not note.strip():
            raise InvalidArgument.for_field(
                "note", "say what was answered or done", reason="PD_COMPLETION_NOTE_REQUIRED", rule=rule
            )
        self.state = PersonalDataRequestState.COMPLETED
        self.completed_by = completed_by
        self.completed_time = now
        self.completion_note = note.strip()
        if self.kind is not PersonalDataRequestKind.STOP_PROCESSING:
            return None
        subject = self.subject
        self.subject_fingerprint = subject.fingerprint()
        self.subject = DataSubject()
        return PersonalDataErasureRequested(
            pd_request_id=self.pd_request_id,
            partner_id=self.partner_id,
            subject_login=subject.login,
            subject_email=subject.email,
            subject_phone=subject.phone,
            requested_time=now,
            policy_version=policy.version,
        )


def open_personal_data_request(
    *,
    pd_request_id: str,
    kind: PersonalDataRequestKind,
    received_date: date,
    subject: DataSubject,
    description: str,
    opened_by: str,
    now: datetime,
    policy: ProgramPolicy,
    partner_id: str = "",
    legal_basis: LegalBasis | None = None,
) -> PersonalDataRequest:
    """Register a request; its due date is counted in business days from receipt (R-PD-02..04).

    The deadline uses the program calendar (R-POL-02): weekends and the policy's
    holidays do not count, so a request received just before the New Year holidays is
    due later than counting calendar days would suggest.
    """
    rule = _RULE_BY_KIND[kind]
    if received_date > kyiv_date(now):
        raise InvalidArgument.for_field(
            "received_date", "must not be in the future", reason="PD_RECEIVED_IN_FUTURE", rule=rule
        )
    if not description.strip():
        raise InvalidArgument.for_field(
            "description", "must say what is asked", reason="PD_DESCRIPTION_REQUIRED", rule=rule
        )
    subject = subject.normalized()
    if kind is PersonalDataRequestKind.STOP_PROCESSING and subject.is_empty:
        raise InvalidArgument.for_field(
            "subject", "name the person by login, email or phone", reason="PD_SUBJECT_REQUIRED", rule="R-PD-03"
        )
    if subject.email and "@" not in subject.email:
        raise InvalidArgument.for_field(
            "subject.email", "is not an email address", reason="PD_SUBJECT_EMAIL_INVALID", rule=rule
        )
    due = policy.business_calendar().add_business_days(received_date, deadline_business_days(kind, policy))
    return PersonalDataRequest(
        pd_request_id=pd_request_id,
        kind=kind,
        partner_id=partner_id,
        subject=subject,
        description=description.strip(),
        received_date=received_date,
        due_date=due,
        opened_by=opened_by,
        opened_time=now,
        policy_version=policy.version,
        legal_basis=legal_basis or LegalBasis.LEGAL_OBLIGATION,
    )


def overdue_requests(requests: Iterable[PersonalDataRequest], today: date) -> list[PersonalDataRequest]:
    """Open requests past their deadline, most overdue first (R-PD-05)."""
    return sorted(
        (r for r in requests if r.is_overdue(today)), key=lambda r: (r.due_date, r.received_date, r.pd_request_id)
    )
