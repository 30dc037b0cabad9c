"""Price-check refusals, control purchases and personal-data requests over real gRPC."""

from datetime import date

import grpc
import pytest

from partnerprogram.compliance.v1 import case_pb2, personal_data_pb2
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from partnerprogram.compliance.v1 import events_pb2 as events
from ppcore.clock import kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

P = "p-prices"
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def _check(**overrides) -> pb.CheckResalePriceRequest:
    fields = {
        "request_id": "check-1",
        "partner_id": P,
        "edition_code": "SM_BUSINESS",
        "price_uah": "70000",
        "currency": "UAH",
        "order_id": "o-9",
    }
    fields.update(overrides)
    return pb.CheckResalePriceRequest(**fields)


async def test_price_check_refusals_write_nothing(compliance):
    """R-PRC-02: bad prices, other currencies and unknown editions are INVALID_ARGUMENT; an
    incident for an unknown partner is NOT_FOUND; none of them writes anything."""
    svc = compliance
    await svc.approve_partner(P)
    before = await svc.counts()
    await svc.refused(
        svc.stub.CheckResalePrice(_check(currency="EUR"), metadata=svc.sales()), INVALID, "CURRENCY_NOT_SUPPORTED"
    )
    await svc.refused(
        svc.stub.CheckResalePrice(_check(edition_code="NOPE"), metadata=svc.sales()), INVALID, "EDITION_UNKNOWN"
    )
    await svc.refused(svc.stub.CheckResalePrice(_check(price_uah="-5"), metadata=svc.sales()), INVALID, "PRICE_INVALID")
    await svc.refused(
        svc.stub.CheckResalePrice(_check(price_uah="cheap"), metadata=svc.sales()), INVALID, "AMOUNT_INVALID"
    )
    await svc.refused(
        svc.stub.CheckResalePrice(_check(partner_id=""), metadata=svc.sales()), INVALID, "PARTNER_REQUIRED"
    )
    await svc.refused(svc.stub.CheckResalePrice(_check(order_id=""), metadata=svc.sales()), INVALID, "ORDER_REQUIRED")
    await svc.refused(
        svc.stub.CheckResalePrice(_check(partner_id="p-unknown"), metadata=svc.sales()),
        grpc.StatusCode.NOT_FOUND,
        "PARTNER_NOT_FOUND",
    )
    assert await svc.counts() == before
    # Above list is allowed even for a partner this service has not heard of: no lookup on that path.
    allowed = await svc.stub.CheckResalePrice(_check(partner_id="p-unknown", price_uah="80000"), metadata=svc.sales())
    assert allowed.allowed and allowed.policy_version


async def test_control_purchase_is_recorded_as_evidence(compliance):
    """R-PRC-03: a control purchase is recorded at any time, below-list flagged, tied to a case."""
    svc = compliance
    await svc.approve_partner(P)
    case = (
        await svc.stub.OpenCase(
            pb.OpenCaseRequest(
                request_id="c1",
                partner_id=P,
                violation_type=case_pb2.VIOLATION_TYPE_DUMPING,
                violation_date="2026-03-01",
                evidence=case_pb2.Evidence(
                    description="quoted below list on the phone", observed_price_uah="60000", list_price_uah="72900"
                ),
            ),
            metadata=svc.staff(),
        )
    ).case
    recorded = await svc.stub.RecordControlPurchase(
        pb.RecordControlPurchaseRequest(
            request_id="cp1",
            partner_id=P,
            edition_code="SM_BUSINESS",
            paid_price_uah="60000",
            purchased_date="2026-03-01",
            evidence=case_pb2.Evidence(description="receipt", file_hashes=["sha256:" + "a" * 64]),
            case_id=case.case_id,
        ),
        metadata=svc.staff(),
    )
    purchase = recorded.control_purchase
    assert purchase.below_list and purchase.list_price_uah == "72900" and purchase.case_id == case.case_id
    before = await svc.counts()
    await svc.refused(
        svc.stub.RecordControlPurchase(
            pb.RecordControlPurchaseRequest(
                request_id="cp2",
                partner_id=P,
                edition_code="SM_BUSINESS",
                paid_price_uah="60000",
                purchased_date="2026-03-01",
                evidence=case_pb2.Evidence(description="receipt", file_hashes=["md5:abc"]),
            ),
            metadata=svc.staff(),
        ),
        INVALID,
        "EVIDENCE_BAD_FILE_HASH",
    )
    assert await svc.counts() == before


def _pd(request_id: str, kind: int, email: str = "olena@example.com", **kw) -> pb.OpenPersonalDataRequestRequest:
    return pb.OpenPersonalDataRequestRequest(
        request_id=request_id,
        kind=kind,
        partner_id=P,
        subject=personal_data_pb2.DataSubject(email=email, phone="+380 44 000 00 00"),
        description="the person asked by letter",
        received_date="2026-12-30",
        **kw,
    )


async def test_personal_data_deadlines_overdue_and_erasure(compliance):
    """R-PD-02..05: business-day deadlines across the New Year, the overdue list, and R-PD-03:
    completing stop-processing erases the person here and asks every service to.

    R-POL-02: under martial law (the policy default since 2022-02-24) the 1 January holiday
    is a working day, so it counts toward the deadlines.
    """
    svc = compliance
    svc.clock.set(kyiv_datetime(date(2026, 12, 30), 12))
    stop = (
        await svc.stub.OpenPersonalDataRequest(
            _pd("pd1", personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_STOP_PROCESSING), metadata=svc.staff()
        )
    ).personal_data_request
    # 10 business days from Wed 30 Dec: 1 Jan (a holiday, worked under martial law) counts: 13 Jan.
    assert stop.due_date == "2027-01-13"
    complaint = (
        await svc.stub.OpenPersonalDataRequest(
            _pd("pd2", personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_COMPLAINT_FORWARD), metadata=svc.staff()
        )
    ).personal_data_request
    assert complaint.due_date == "2027-01-04"  # 31 Dec, 1 Jan, 4 Jan
    legal = (
        await svc.stub.OpenPersonalDataRequest(
            _pd("pd3", personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_CONFIRM_LEGAL_BASIS, email="OLENA@example.com "),
            metadata=svc.staff(),
        )
    ).personal_data_request
    before = await svc.counts()
    await svc.refused(
        svc.stub.OpenPersonalDataRequest(
            pb.OpenPersonalDataRequestRequest(
                request_id="pd4",
                kind=personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_STOP_PROCESSING,
                description="no one named",
                received_date="2026-12-30",
            ),
            metadata=svc.staff(),
        ),
        INVALID,
        "PD_SUBJECT_REQUIRED",
    )
    assert await svc.counts() == before

    on_time = await svc.stub.ListOverduePersonalDataRequests(
        pb.ListOverduePersonalDataRequestsRequest(as_of_date="2027-01-04"), metadata=svc.staff()
    )
    assert list(on_time.personal_data_requests) == []
    svc.clock.set(kyiv_datetime(date(2027, 1, 15), 9))
    overdue = await svc.stub.ListOverduePersonalDataRequests(
        pb.ListOverduePersonalDataRequestsRequest(page_size=2), metadata=svc.staff()
    )
    assert overdue.personal_data_requests[0].personal_data_request_id == complaint.personal_data_request_id
    assert all(r.overdue for r in overdue.personal_data_requests) and overdue.next_page_token
    rest = await svc.stub.ListOverduePersonalDataRequests(
        pb.ListOverduePersonalDataRequestsRequest(page_size=2, page_token=overdue.next_page_token), metadata=svc.staff()
    )
    assert len(rest.personal_data_requests) == 1 and not rest.next_page_token

    done = await svc.stub.CompletePersonalDataRequest(
        pb.CompletePersonalDataRequestRequest(
            request_id="done1", personal_data_request_id=stop.personal_data_request_id, note="erased everywhere"
        ),
        metadata=svc.staff(),
    )
    erased = done.personal_data_request
    assert erased.state == personal_data_pb2.PERSONAL_DATA_REQUEST_STATE_COMPLETED
    assert (erased.subject.email, erased.subject.phone) == ("", "")
    assert erased.subject_fingerprint.startswith("sha256:")
    event = await svc.tap.wait_for_one(events.PersonalDataErasureRequested)
    assert (event.subject_email, event.subject_phone, event.partner_id) == ("olena@example.com", "+380440000000", P)
    # The person is gone from every request here too; the requests themselves stay (R-PD-03).
    assert await svc.scalar("SELECT count(*) FROM personal_data_requests WHERE subject_email <> ''") == 0
    assert await svc.scalar("SELECT count(*) FROM personal_data_requests") == 3
    assert legal.personal_data_request_id
    await svc.refused(
        svc.stub.CompletePersonalDataRequest(
            pb.CompletePersonalDataRequestRequest(
                request_id="done2", personal_data_request_id=stop.personal_data_request_id, note="again"
            ),
            metadata=svc.staff(),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "PD_REQUEST_NOT_OPEN",
    )
