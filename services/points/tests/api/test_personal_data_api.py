"""Client contacts kept for the monitoring survey: masked unless the caller needs them, held on a
stored legal basis (R-PD-01)."""

from __future__ import annotations

import pytest

from partnerprogram.compliance.v1 import personal_data_pb2
from partnerprogram.points.v1 import monitoring_pb2 as mon
from partnerprogram.points.v1 import points_service_pb2 as pb
from ppcore.personal_data import PERSONAL_DATA_GROUP

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_client_contact_is_masked_for_staff_without_the_group_and_whole_for_those_who_need_it(points):
    """R-PD-01: client contacts are shown "only to those entitled to it": a moderator and the gateway
    (a system) see the survey contact masked in GetMonitoringSubmission and ListMonitoringSubmissions;
    staff in the PERSONAL_DATA group and the submitting partner see it whole. The contact is stored
    with its legal basis, annex 2.4: "здійснення опитувань з метою дослідження думки Користувача про
    Програмні продукти"."""
    await points.approve_partners("p-1")
    submitted = (
        await points.stub.SubmitMonitoringResults(
            pb.SubmitMonitoringResultsRequest(
                request_id="qm-pd",
                partner_id="p-1",
                site_url="pd.example.com",
                license_key="KEY-BUSINESS-1",
                client_contact=mon.ClientContact(name="Olena Client", phone="+380501112233", email="olena@client.ua"),
                test_results=[mon.TestResult(test_code="SPEED", mandatory=True, outcome=mon.TEST_OUTCOME_PASSED)],
            ),
            metadata=points.partner("p-1"),
        )
    ).submission
    own = submitted.client_contact
    assert (own.name, own.phone, own.email, own.masked) == ("Olena Client", "+380501112233", "olena@client.ua", False)
    assert own.legal_basis == personal_data_pb2.LEGAL_BASIS_USER_SERVICES

    get = pb.GetMonitoringSubmissionRequest(submission_id=submitted.submission_id)
    for masked_md in (points.staff(), points.system()):
        masked = (await points.stub.GetMonitoringSubmission(get, metadata=masked_md)).submission.client_contact
        assert (masked.name, masked.phone, masked.email, masked.masked) == (
            "O***********",
            "+**********33",
            "o****@client.ua",
            True,
        )
        assert masked.legal_basis == personal_data_pb2.LEGAL_BASIS_USER_SERVICES
    listed = (
        await points.stub.ListMonitoringSubmissions(pb.ListMonitoringSubmissionsRequest(), metadata=points.staff())
    ).submissions
    assert [s.client_contact.email for s in listed] == ["o****@client.ua"]

    dpo = points.tokens.metadata(points.tokens.staff("staff:dpo", groups=frozenset({PERSONAL_DATA_GROUP})))
    whole = (await points.stub.GetMonitoringSubmission(get, metadata=dpo)).submission.client_contact
    assert (whole.name, whole.phone, whole.email, whole.masked) == (
        "Olena Client",
        "+380501112233",
        "olena@client.ua",
        False,
    )
    stored = await points.scalar("SELECT client_legal_basis FROM monitoring_submissions")
    assert stored == "USER_SERVICES"
