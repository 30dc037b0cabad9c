"""Partnership applications and their review (R-PRT-01..03)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from ppcore.calendar import BusinessCalendar
from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from status_service.domain.enums import Activity, ApplicationState, LegalForm


@dataclass(frozen=True)
class ApplicantData:
    """The questionnaire: who applies and what they do."""

    legal_form: LegalForm
    company_name: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    activities: frozenset[Activity]
    applicant_login: str
    personal_data_consent: bool
    tax_id: str = ""


def validate_applicant(data: ApplicantData) -> None:
    """Refuse a questionnaire that cannot be reviewed at all (invalid input)."""
    if not data.personal_data_consent:
        raise InvalidArgument.for_field(
            "application.personal_data_consent",
            "explicit personal-data consent is required (R-PRT-02)",
            reason="PERSONAL_DATA_CONSENT_REQUIRED",
            rule="R-PRT-02",
        )
    if not data.activities:
        raise InvalidArgument.for_field(
            "application.activities",
            "name at least one qualifying activity: web projects, IT consulting, hosting or software "
            "distribution (R-PRT-01)",
            reason="APPLICANT_ACTIVITY_REQUIRED",
            rule="R-PRT-01",
        )
    required = {
        "application.company_name": data.company_name,
        "application.city": data.city,
        "application.contact_email": data.contact_email,
        "application.applicant_login": data.applicant_login,
    }
    for field_path, value in required.items():
        if not value.strip():
            raise InvalidArgument.for_field(
                field_path, "is required (R-PRT-02)", reason="FIELD_REQUIRED", rule="R-PRT-02"
            )
    if "@" not in data.contact_email:
        raise InvalidArgument.for_field(
            "application.contact_email", "is not an e-mail address (R-PRT-02)", reason="INVALID_EMAIL", rule="R-PRT-02"
        )


@dataclass(frozen=True)
class Application:
    application_id: str
    data: ApplicantData
    state: ApplicationState
    submitted_time: datetime
    # The review clock restarts when the applicant answers a request for information.
    review_started_time: datetime
    decided_time: datetime | None = None
    staff_note: str = ""
    partner_id: str = ""

    @property
    def is_decided(self) -> bool:
        return self.state in (ApplicationState.APPROVED, ApplicationState.REJECTED)

    def review_due_date(self, calendar: BusinessCalendar, review_days: int) -> date:
        """The last Kyiv business day of the normal review time (R-PRT-03)."""
        return calendar.add_business_days(kyiv_date(self.review_started_time), review_days)

    def is_overdue(self, calendar: BusinessCalendar, review_days: int, now: datetime) -> bool:
        """Overdue for staff while waiting on them past the deadline (R-PRT-03)."""
        if self.state is not ApplicationState.UNDER_REVIEW:
            return False
        return calendar.is_overdue(kyiv_date(self.review_started_time), review_days, kyiv_date(now))


def submit_application(application_id: str, data: ApplicantData, now: datetime) -> Application:
    validate_applicant(data)
    return Application(
        application_id=application_id,
        data=data,
        state=ApplicationState.UNDER_REVIEW,
        submitted_time=now,
        review_started_time=now,
    )


def _require_open(application: Application) -> None:
    if application.is_decided:
        raise FailedPrecondition(
            reason="APPLICATION_ALREADY_DECIDED",
            message=f"application {application.application_id} is already {application.state} (R-PRT-03)",
            rule="R-PRT-03",
        )


def request_more_info(application: Application, note: str, now: datetime) -> Application:
    """Staff ask for more information or documents (R-PRT-03)."""
    _require_open(application)
    if not note.strip():
        raise InvalidArgument.for_field(
            "note", "say what is needed (R-PRT-03)", reason="FIELD_REQUIRED", rule="R-PRT-03"
        )
    return replace(application, state=ApplicationState.INFO_REQUESTED, staff_note=note)


def provide_more_info(application: Application, data: ApplicantData, now: datetime) -> Application:
    """The applicant answers; the application goes back to review with a fresh deadline."""
    if application.state is not ApplicationState.INFO_REQUESTED:
        raise FailedPrecondition(
            reason="APPLICATION_INFO_NOT_REQUESTED",
            message=f"application {application.application_id} is {application.state}, no information was requested "
            "(R-PRT-03)",
            rule="R-PRT-03",
        )
    validate_applicant(data)
    if data.applicant_login != application.data.applicant_login:
        raise InvalidArgument.for_field(
            "application.applicant_login",
            "the applicant login cannot change; it becomes the main user (R-EMP-01)",
            reason="APPLICANT_LOGIN_IMMUTABLE",
            rule="R-EMP-01",
        )
    return replace(application, data=data, state=ApplicationState.UNDER_REVIEW, review_started_time=now)


def reject_application(application: Application, reason: str, now: datetime) -> Application:
    _require_open(application)
    if not reason.strip():
        raise InvalidArgument.for_field(
            "reason", "a rejection needs a reason (R-PRT-03)", reason="FIELD_REQUIRED", rule="R-PRT-03"
        )
    return replace(application, state=ApplicationState.REJECTED, decided_time=now, staff_note=reason)


def mark_approved(application: Application, partner_id: str, now: datetime) -> Application:
    _require_open(application)
    return replace(application, state=ApplicationState.APPROVED, decided_time=now, partner_id=partner_id)
