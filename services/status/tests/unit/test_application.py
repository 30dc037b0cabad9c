"""Applications and their review (R-PRT-01..03)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ppcore.calendar import BusinessCalendar
from ppcore.errors import FailedPrecondition, InvalidArgument
from status_service.domain.application import (
    ApplicantData,
    provide_more_info,
    reject_application,
    request_more_info,
    submit_application,
)
from status_service.domain.enums import ApplicationState, LegalForm

Applicant = Callable[..., ApplicantData]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def test_application_without_personal_data_consent_is_invalid_input(applicant: Applicant) -> None:
    """R-PRT-02: no consent, no application; the field and the rule are named."""
    with pytest.raises(InvalidArgument) as raised:
        submit_application("a1", applicant(personal_data_consent=False), T0)
    assert raised.value.reason == "PERSONAL_DATA_CONSENT_REQUIRED"
    assert raised.value.rule == "R-PRT-02"
    assert raised.value.violations[0].field == "application.personal_data_consent"


def test_individuals_may_apply_but_need_a_qualifying_activity(applicant: Applicant) -> None:
    """R-PRT-01: legal entities, FOPs and individuals apply; an activity in the field is required."""
    accepted = submit_application("a1", applicant(legal_form=LegalForm.INDIVIDUAL), T0)
    assert accepted.state is ApplicationState.UNDER_REVIEW
    with pytest.raises(InvalidArgument) as raised:
        submit_application("a2", applicant(activities=frozenset()), T0)
    assert raised.value.rule == "R-PRT-01"


def test_application_is_overdue_after_three_business_days_skipping_weekend_and_holiday(applicant: Applicant) -> None:
    """R-PRT-03: review takes <= 3 business days (policy); weekends and holidays do not count."""
    calendar = BusinessCalendar([date(2026, 3, 9)])  # a Monday holiday
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    application = submit_application("a1", applicant(), friday)
    # Business days after Fri 6 Mar: Tue 10, Wed 11, Thu 12 -> due Thu 12 Mar.
    assert application.review_due_date(calendar, 3) == date(2026, 3, 12)
    assert not application.is_overdue(calendar, 3, datetime(2026, 3, 12, 20, 0, tzinfo=UTC))
    assert application.is_overdue(calendar, 3, datetime(2026, 3, 13, 8, 0, tzinfo=UTC))


def test_waiting_for_requested_information_is_not_overdue_and_the_answer_restarts_the_clock(
    applicant: Applicant,
) -> None:
    """R-PRT-03: staff may request more information; the deadline runs again from the answer."""
    calendar = BusinessCalendar([])
    application = request_more_info(submit_application("a1", applicant(), T0), "send the EDRPOU extract", T0)
    later = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    assert application.state is ApplicationState.INFO_REQUESTED
    assert not application.is_overdue(calendar, 3, later)
    answered = provide_more_info(application, applicant(tax_id="12345678"), later)
    assert answered.state is ApplicationState.UNDER_REVIEW
    assert answered.review_due_date(calendar, 3) == date(2026, 3, 25)


def test_decided_application_cannot_be_decided_again(applicant: Applicant) -> None:
    """R-PRT-03: approve, reject or request info only while open."""
    rejected = reject_application(submit_application("a1", applicant(), T0), "not a web business", T0)
    with pytest.raises(FailedPrecondition) as raised:
        request_more_info(rejected, "more?", T0)
    assert raised.value.reason == "APPLICATION_ALREADY_DECIDED"
