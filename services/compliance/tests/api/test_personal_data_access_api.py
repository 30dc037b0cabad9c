"""Who sees a person's data in the personal-data requests, and its legal basis, over real gRPC (R-PD-01)."""

import pytest

from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from partnerprogram.compliance.v1 import personal_data_pb2
from ppcore.personal_data import PERSONAL_DATA_GROUP

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_staff_see_the_person_masked_unless_their_role_needs_it(compliance):
    """R-PD-01: personal data "is shown only to those entitled to it": a moderator sees the subject
    masked (and told so), staff in the PERSONAL_DATA group see it whole, on the answer and on the
    overdue list alike; a retry by a moderator does not reveal what the first answer held. The
    request records the legal basis of what it holds (annex 2.6 unless staff name another)."""
    svc = compliance
    dpo = svc.tokens.metadata(svc.tokens.staff("staff:dpo", groups=frozenset({PERSONAL_DATA_GROUP})))
    open_request = pb.OpenPersonalDataRequestRequest(
        request_id="pd-1",
        kind=personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_CONFIRM_LEGAL_BASIS,
        subject=personal_data_pb2.DataSubject(login="olena", email="olena@example.ua", phone="+380671234567"),
        description="the partner asks us to confirm our legal basis",
        received_date="2026-02-02",
    )
    whole = (await svc.stub.OpenPersonalDataRequest(open_request, metadata=dpo)).personal_data_request
    assert (whole.subject.email, whole.subject.phone, whole.subject_masked) == (
        "olena@example.ua",
        "+380671234567",
        False,
    )
    assert whole.legal_basis == personal_data_pb2.LEGAL_BASIS_LEGAL_OBLIGATION

    retried = (await svc.stub.OpenPersonalDataRequest(open_request, metadata=svc.staff())).personal_data_request
    assert (retried.subject.login, retried.subject.email, retried.subject.phone, retried.subject_masked) == (
        "o****",
        "o****@example.ua",
        "+**********67",
        True,
    )
    assert retried.personal_data_request_id == whole.personal_data_request_id

    consent = (
        await svc.stub.OpenPersonalDataRequest(
            pb.OpenPersonalDataRequestRequest(
                request_id="pd-2",
                kind=personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_COMPLAINT_FORWARD,
                subject=personal_data_pb2.DataSubject(email="petro@example.ua"),
                description="a complaint about data sent to the partner",
                received_date="2026-02-02",
                legal_basis=personal_data_pb2.LEGAL_BASIS_CONSENT,
            ),
            metadata=dpo,
        )
    ).personal_data_request
    assert consent.legal_basis == personal_data_pb2.LEGAL_BASIS_CONSENT
    assert await svc.scalar(
        "SELECT legal_basis FROM personal_data_requests WHERE subject_email = 'petro@example.ua'"
    ) == ("CONSENT")

    request = pb.ListOverduePersonalDataRequestsRequest(as_of_date="2026-03-30")
    masked = (await svc.stub.ListOverduePersonalDataRequests(request, metadata=svc.staff())).personal_data_requests
    shown = (await svc.stub.ListOverduePersonalDataRequests(request, metadata=dpo)).personal_data_requests
    assert sorted(r.subject.email for r in masked) == ["o****@example.ua", "p****@example.ua"]
    assert all(r.subject_masked for r in masked)
    assert sorted(r.subject.email for r in shown) == ["olena@example.ua", "petro@example.ua"]
