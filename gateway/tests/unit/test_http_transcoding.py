"""The generic HTTP -> gRPC transcoding, from the descriptors alone (no I/O)."""

import grpc
import pytest

from gateway_service.http.routes import api_services, public_methods
from gateway_service.http.transcoding import HTTP_STATUS, RequestError, bindings, error_response, request_message
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from ppcore.errors import InvalidArgument
from ppcore.grpc_errors import rich_status


def binding(name: str):
    return next(b for b in bindings(api_services()[0]) if b.method.name == name)


def test_every_gateway_rpc_has_an_http_binding():
    """The HTTP side covers the whole public API: no RPC is reachable by gRPC only."""
    service = api_services()[0]
    assert {b.method.name for b in bindings(service)} == {m.name for m in service.methods}


def test_path_variable_and_query_fill_the_request():
    cabinet = binding("GetPartnerCabinet")
    message = request_message(cabinet, {"partner_id": "p-7"}, [("expiring_within_days", "90")], b"")
    assert message == pb.GetPartnerCabinetRequest(partner_id="p-7", expiring_within_days=90)


def test_json_names_are_accepted_as_well_as_proto_names():
    listing = binding("ListDirectory")
    message = request_message(listing, {}, [("pageSize", "5"), ("competency_code", "PHP_HOSTING")], b"")
    assert message == pb.ListDirectoryRequest(page_size=5, competency_code="PHP_HOSTING")


def test_body_star_is_the_whole_request():
    check = binding("CheckDiscountEntitlement")
    message = request_message(check, {}, [], b'{"buyer_login": "olena", "product_family": "SITE_MANAGEMENT"}')
    assert message == pb.CheckDiscountEntitlementRequest(buyer_login="olena", product_family="SITE_MANAGEMENT")


@pytest.mark.parametrize(
    ("name", "query", "body"),
    [
        ("ListDirectory", [("page_size", "many")], b""),
        ("ListDirectory", [("colour", "red")], b""),
        ("CheckDiscountEntitlement", [], b'{"buyer": 1}'),
        ("CheckDiscountEntitlement", [], b"not json"),
    ],
)
def test_requests_that_are_not_the_message_are_refused(name, query, body):
    with pytest.raises(RequestError):
        request_message(binding(name), {}, query, body)


def test_refusal_keeps_reason_and_field_violations_with_googles_http_status():
    """Errors as JSON with the same reason and field details (google.rpc.Status)."""
    _code, _message, status = rich_status(
        InvalidArgument.for_field("page_token", "is not a token", reason="PAGE_TOKEN_INVALID")
    )
    response = error_response(status)
    assert response.status_code == 400
    text = response.body.decode()
    assert '"PAGE_TOKEN_INVALID"' in text and '"page_token"' in text and '"code":3' in text


def test_http_statuses_follow_google_rpc_code():
    assert HTTP_STATUS[grpc.StatusCode.NOT_FOUND] == 404
    assert HTTP_STATUS[grpc.StatusCode.FAILED_PRECONDITION] == 400
    assert HTTP_STATUS[grpc.StatusCode.UNAVAILABLE] == 503
    assert HTTP_STATUS[grpc.StatusCode.DEADLINE_EXCEEDED] == 504
    assert set(HTTP_STATUS) == set(grpc.StatusCode)


def test_only_the_directory_and_the_violators_list_are_public():
    assert {name for name, public in public_methods().items() if public} == {"ListDirectory", "ListViolators"}
