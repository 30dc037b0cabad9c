"""Edge checks derived from request descriptors (issue 12, and issue 10 item 17)."""

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.points.v1 import order_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.errors import InvalidArgument
from ppcore.validation import (
    FREE_TEXT,
    Chars,
    MalformedRequest,
    check_request,
    text_rule,
    tolerant_deserializer,
    validate_request,
)


def refusal(request) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        validate_request(request)
    return caught.value


def test_a_write_without_request_id_is_refused():
    """Issue 10 item 17: "an empty request_id on a write is accepted, and two such calls act
    twice: every write requires one (INVALID_ARGUMENT otherwise)"."""
    error = refusal(status_pb.TerminatePartnerRequest(partner_id="p-1"))
    assert error.reason == "REQUEST_ID_REQUIRED"
    assert error.violations[0].field == "request_id"


def test_a_read_needs_no_request_id():
    validate_request(status_pb.GetPartnerRequest(partner_id="p-1"))


def test_a_nul_byte_in_any_string_is_refused_naming_the_field():
    """Issue 12: "a NUL byte in any string field gives INTERNAL on PostgreSQL"."""
    error = refusal(status_pb.GetPartnerRequest(partner_id="p\x00-1"))
    assert error.reason == "CHARACTERS_NOT_ALLOWED"
    assert error.violations[0].field == "partner_id"


def test_nested_and_repeated_fields_are_named_by_path():
    data = partner_pb2.ApplicantData(company_name="Studio", activities=[partner_pb2.ACTIVITY_WEB_PROJECTS, 999])
    error = refusal(status_pb.CreateApplicationRequest(request_id="r-1", data=data))
    assert error.reason == "ENUM_VALUE_UNKNOWN"
    assert error.violations[0].field == "data.activities[1]"


def test_a_huge_string_is_refused_quoting_only_a_short_prefix():
    """Issue 12: "a 200 KB string is echoed back in the error message until the trailer overflows"."""
    error = refusal(status_pb.RejectApplicationRequest(request_id="r-1", application_id="a-1", reason="x" * 200_000))
    assert error.reason == "VALUE_TOO_LONG"
    assert len(error.message) < 200


def test_an_unknown_enum_number_is_refused_naming_the_field():
    """Issue 12: "an unknown enum number (ListPartners{tier: -5}) gives INTERNAL"."""
    error = refusal(status_pb.ListPartnersRequest(tier=-5))
    assert error.reason == "ENUM_VALUE_UNKNOWN"
    assert error.violations[0].field == "tier"


def test_a_timestamp_far_out_of_range_is_refused():
    """Issue 12: "timestamps far out of range (RecordOrder, GetActiveTotal, ListLedgerEntries)"."""
    error = refusal(points_pb.GetActiveTotalRequest(partner_id="p-1", as_of_time=Timestamp(seconds=10**12)))
    assert error.reason == "TIMESTAMP_OUT_OF_RANGE"
    assert error.violations[0].field == "as_of_time"
    validate_request(points_pb.GetActiveTotalRequest(partner_id="p-1", as_of_time=Timestamp(seconds=1_800_000_000)))


def test_a_huge_within_days_is_refused():
    """Issue 12: "a huge within_days ... give INTERNAL or wrong answers"."""
    error = refusal(points_pb.GetExpiringPointsRequest(partner_id="p-1", within_days=2_000_000_000))
    assert error.reason == "NUMBER_OUT_OF_RANGE"
    assert error.violations[0].field == "within_days"


@pytest.mark.parametrize("figure", ["1e309", "NaN", "-0", "1" * 40, "12 000", "Infinity"])
def test_money_figures_must_be_plain_decimals(figure):
    """Issue 12: decimal strings such as "1e309", "NaN", "-0" or 40 digits are INVALID_ARGUMENT."""
    order = order_pb2.Order(order_id="o-1", partner_id="p-1", lines=[order_pb2.OrderLine(amount_uah=figure)])
    error = refusal(points_pb.RecordOrderRequest(request_id="r-1", order=order))
    assert error.reason in {"AMOUNT_INVALID", "VALUE_TOO_LONG"}
    assert error.violations[0].field == "order.lines[0].amount_uah"


def test_ids_may_not_hold_line_breaks_but_free_text_may():
    assert refusal(status_pb.GetPartnerRequest(partner_id="p\n1")).reason == "CHARACTERS_NOT_ALLOWED"
    validate_request(status_pb.RejectApplicationRequest(request_id="r-1", application_id="a", reason="one\ntwo\tthree"))


def test_field_rules_follow_the_naming_convention():
    fields = status_pb.ListPartnersRequest.DESCRIPTOR.fields_by_name
    assert text_rule(fields["page_token"]).chars is Chars.TOKEN
    reject = status_pb.RejectApplicationRequest.DESCRIPTOR.fields_by_name
    assert text_rule(reject["reason"]) == FREE_TEXT
    assert text_rule(reject["application_id"]).max_length == 64


def test_a_body_that_does_not_parse_is_refused_as_malformed():
    """Issue 12: "Malformed protobuf bodies get UNKNOWN and an error log line"."""
    parse = tolerant_deserializer(status_pb.GetPartnerRequest.FromString)
    assert parse is not None
    request = parse(b"\x0a\xff\xff\xff\xff\x0f")
    assert isinstance(request, MalformedRequest)
    with pytest.raises(InvalidArgument) as caught:
        check_request("/x/GetPartner", request)
    assert caught.value.reason == "REQUEST_MALFORMED"
