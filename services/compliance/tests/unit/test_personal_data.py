"""Personal-data requests, deadlines and erasure (R-PD-01..R-PD-05)."""

from __future__ import annotations

from datetime import date

import pytest

from compliance_service.domain.personal_data import (
    DataSubject,
    PersonalDataRequest,
    PersonalDataRequestKind,
    PersonalDataRequestState,
    open_personal_data_request,
    overdue_requests,
)
from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy
from ppcore.testing.policy import holidays_off

PERSON = DataSubject(login="olena.k", email=" Olena.K@Example.UA ", phone="+380 (67) 123-45-67")


def _open(
    policy: ProgramPolicy,
    kind: PersonalDataRequestKind,
    received: date,
    *,
    request_id: str = "pd-1",
    subject: DataSubject = PERSON,
) -> PersonalDataRequest:
    return open_personal_data_request(
        pd_request_id=request_id,
        kind=kind,
        received_date=received,
        subject=subject,
        description="the data subject asks",
        opened_by="dpo-1",
        now=kyiv_datetime(received, 12),
        policy=policy,
        partner_id="p-1",
    )


def test_legal_basis_confirmation_is_due_in_10_business_days(policy: ProgramPolicy) -> None:
    """R-PD-02: answered within 10 business days (policy pd_legal_basis_days)."""
    request = _open(policy, PersonalDataRequestKind.CONFIRM_LEGAL_BASIS, date(2026, 2, 2))  # Monday
    assert request.due_date == date(2026, 2, 16)
    assert request.policy_version == policy.version


def test_stop_processing_is_due_in_10_business_days(policy: ProgramPolicy) -> None:
    """R-PD-03: processing stops within 10 business days (policy pd_stop_processing_days)."""
    request = _open(policy, PersonalDataRequestKind.STOP_PROCESSING, date(2026, 2, 6))  # Friday
    assert request.due_date == date(2026, 2, 20)


def test_complaint_is_forwarded_within_3_business_days(policy: ProgramPolicy) -> None:
    """R-PD-04: passed on within 3 business days (policy pd_complaint_forward_days)."""
    request = _open(policy, PersonalDataRequestKind.COMPLAINT_FORWARD, date(2026, 2, 5))  # Thursday
    assert request.due_date == date(2026, 2, 10)


def test_deadline_spanning_the_new_year_holidays_skips_them(policy: ProgramPolicy) -> None:
    """R-PD-02, R-PD-04, R-POL-02: 25 Dec and 1 Jan are policy holidays and do not count."""
    # R-POL-02: with martial law in force (the policy default) holidays are worked; this
    # rule is about the days off when it is not.
    policy = holidays_off(policy)
    legal_basis = _open(policy, PersonalDataRequestKind.CONFIRM_LEGAL_BASIS, date(2026, 12, 24))
    # 28, 29, 30, 31 Dec, then 4-8 Jan and 11 Jan: the 10th business day.
    assert legal_basis.due_date == date(2027, 1, 11)
    complaint = _open(policy, PersonalDataRequestKind.COMPLAINT_FORWARD, date(2026, 12, 31))
    assert complaint.due_date == date(2027, 1, 6)


def test_overdue_requests_are_listed_most_overdue_first(policy: ProgramPolicy) -> None:
    """R-PD-05: an open request is overdue the day after its due date; completed ones are not."""
    late = _open(policy, PersonalDataRequestKind.COMPLAINT_FORWARD, date(2026, 2, 2), request_id="pd-late")
    later = _open(policy, PersonalDataRequestKind.CONFIRM_LEGAL_BASIS, date(2026, 2, 2), request_id="pd-later")
    done = _open(policy, PersonalDataRequestKind.COMPLAINT_FORWARD, date(2026, 2, 2), request_id="pd-done")
    done.complete(note="forwarded", completed_by="dpo-1", now=kyiv_datetime(date(2026, 2, 3), 9), policy=policy)
    requests = [later, done, late]
    assert late.due_date == date(2026, 2, 5)
    assert overdue_requests(requests, date(2026, 2, 5)) == []
    assert overdue_requests(requests, date(2026, 2, 6)) == [late]
    assert overdue_requests(requests, date(2026, 2, 17)) == [late, later]


def test_completion_after_the_due_date_is_marked_late(policy: ProgramPolicy) -> None:
    """R-PD-05: deadlines are tracked after completion too."""
    request = _open(policy, PersonalDataRequestKind.COMPLAINT_FORWARD, date(2026, 2, 2))
    request.complete(note="forwarded", completed_by="dpo-1", now=kyiv_datetime(date(2026, 2, 6), 9), policy=policy)
    assert request.completed_late and not request.is_overdue(date(2026, 2, 9))


def test_completing_stop_processing_requests_erasure_everywhere(policy: ProgramPolicy) -> None:
    """R-PD-03: the event names the person; this record keeps only a fingerprint."""
    request = _open(policy, PersonalDataRequestKind.STOP_PROCESSING, date(2026, 2, 2))
    event = request.complete(
        note="processing stopped", completed_by="dpo-1", now=kyiv_datetime(date(2026, 2, 4), 9), policy=policy
    )
    assert event is not None
    assert (event.subject_login, event.subject_email, event.subject_phone) == (
        "olena.k",
        "olena.k@example.ua",
        "+380671234567",
    )
    assert (event.pd_request_id, event.partner_id, event.policy_version) == ("pd-1", "p-1", policy.version)
    assert request.state is PersonalDataRequestState.COMPLETED
    assert request.subject.is_empty and request.subject_fingerprint.startswith("sha256:")


def test_completing_other_kinds_requests_no_erasure(policy: ProgramPolicy) -> None:
    """R-PD-02: confirming a legal basis keeps the data."""
    request = _open(policy, PersonalDataRequestKind.CONFIRM_LEGAL_BASIS, date(2026, 2, 2))
    assert (
        request.complete(
            note="basis: contract", completed_by="d", now=kyiv_datetime(date(2026, 2, 3), 9), policy=policy
        )
        is None
    )
    assert request.subject.login == "olena.k"


def test_a_request_is_completed_once_and_with_a_note(policy: ProgramPolicy) -> None:
    """R-PD-05: a completed request stays completed."""
    request = _open(policy, PersonalDataRequestKind.COMPLAINT_FORWARD, date(2026, 2, 2))
    with pytest.raises(InvalidArgument):
        request.complete(note=" ", completed_by="d", now=kyiv_datetime(date(2026, 2, 3), 9), policy=policy)
    request.complete(note="forwarded", completed_by="d", now=kyiv_datetime(date(2026, 2, 3), 9), policy=policy)
    with pytest.raises(FailedPrecondition) as err:
        request.complete(note="again", completed_by="d", now=kyiv_datetime(date(2026, 2, 3), 10), policy=policy)
    assert err.value.reason == "PD_REQUEST_NOT_OPEN"


def test_stop_processing_names_the_person(policy: ProgramPolicy) -> None:
    """R-PD-03: erasure needs at least one identifier."""
    with pytest.raises(InvalidArgument) as err:
        _open(policy, PersonalDataRequestKind.STOP_PROCESSING, date(2026, 2, 2), subject=DataSubject())
    assert err.value.reason == "PD_SUBJECT_REQUIRED"


def test_request_received_in_the_future_is_refused(policy: ProgramPolicy) -> None:
    """R-PD-05: the deadline counts from a real receipt date."""
    with pytest.raises(InvalidArgument):
        open_personal_data_request(
            pd_request_id="pd",
            kind=PersonalDataRequestKind.COMPLAINT_FORWARD,
            received_date=date(2026, 2, 3),
            subject=PERSON,
            description="d",
            opened_by="d",
            now=kyiv_datetime(date(2026, 2, 2), 12),
            policy=policy,
        )


def test_masked_subject_hides_the_personal_data(policy: ProgramPolicy) -> None:
    """R-PD-01: personal data is shown only to those entitled; others see a mask."""
    masked = PERSON.normalized().masked()
    assert masked.email.endswith("@example.ua") and "olena" not in masked.email
    assert masked.login.startswith("o") and "lena" not in masked.login
    assert masked.phone.endswith("67") and "123" not in masked.phone


def test_a_request_records_the_legal_basis_of_what_it_holds(policy: ProgramPolicy) -> None:
    """R-PD-01: data is held only with a legal basis, recorded with it: answering a request is the
    law's duty (annex 2.6) unless staff name another basis.

    Annex 1, p.2: "Сторони гарантують, що володіють у відповідності з вимогами законодавства
    України правовими підставами для обробки".
    """  # noqa: RUF002
    from ppcore.personal_data import LegalBasis

    assert _open(policy, PersonalDataRequestKind.CONFIRM_LEGAL_BASIS, date(2026, 3, 2)).legal_basis is (
        LegalBasis.LEGAL_OBLIGATION
    )
    given = open_personal_data_request(
        pd_request_id="pd-2",
        kind=PersonalDataRequestKind.COMPLAINT_FORWARD,
        received_date=date(2026, 3, 2),
        subject=PERSON,
        description="complaint",
        opened_by="staff:dpo",
        now=kyiv_datetime(date(2026, 3, 2), 12),
        policy=policy,
        legal_basis=LegalBasis.CONSENT,
    )
    assert given.legal_basis is LegalBasis.CONSENT
