"""The HTTP/JSON side over a real socket: the annotated GatewayService methods transcoded to
the same gRPC calls, with the same bearer tokens, access rules and refusals (as
``google.rpc.Status`` JSON with the gRPC code's HTTP status), CORS, and the OpenAPI document."""

import httpx
import pytest

from ppcore.auth import PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def bearer(metadata) -> dict[str, str]:
    return {key: value for key, value in metadata}


async def test_cabinet_over_http_is_the_grpc_answer_as_json(gateway):
    """R-CARD-04 over HTTP: proto field names, enums by name, every field printed."""
    gateway.backends.status.partners.add("p-1")
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        reply = await http.get("/v1/partners/p-1/cabinet", headers=bearer(gateway.partner("p-1", PartnerRole.MAIN)))
    assert reply.status_code == 200, reply.text
    cabinet = reply.json()["cabinet"]
    assert cabinet["partner_id"] == "p-1"
    assert cabinet["partial"] is False
    assert cabinet["status"]["status"]["tier"] == "PARTNER_TIER_CERTIFIED"
    assert cabinet["status"]["state"]["availability"] == "SECTION_AVAILABILITY_AVAILABLE"
    assert cabinet["points"]["active_points"] == "142.5"
    assert cabinet["missing_sections"] == []


async def test_no_token_is_401_and_another_partner_is_403_with_the_reason(gateway):
    """The same tokens and refusals as gRPC: UNAUTHENTICATED -> 401, PERMISSION_DENIED -> 403."""
    gateway.backends.status.partners.add("p-1")
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        anonymous = await http.get("/v1/partners/p-1/cabinet")
        other = await http.get("/v1/partners/p-1/cabinet", headers=bearer(gateway.partner("p-2", PartnerRole.MAIN)))
        forged = await http.get("/v1/partners/p-1/cabinet", headers={"Authorization": "Bearer not-a-jwt"})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 16
    assert forged.status_code == 401
    assert other.status_code == 403
    body = other.json()
    assert body["code"] == 7
    info = next(d for d in body["details"] if d["@type"].endswith("google.rpc.ErrorInfo"))
    assert info["reason"] == "OTHER_PARTNER"


async def test_bad_input_is_400_with_the_field_violation(gateway):
    """INVALID_ARGUMENT -> 400 carrying the BadRequest field violation of the gRPC refusal."""
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        reply = await http.get("/v1/directory", params={"page_token": "not-a-token"})
        malformed = await http.get("/v1/directory", params={"page_size": "many"})
        unknown = await http.get("/v1/directory", params={"colour": "red"})
    assert reply.status_code == 400, reply.text
    violations = next(d for d in reply.json()["details"] if d["@type"].endswith("google.rpc.BadRequest"))
    assert violations["field_violations"][0]["field"] == "page_token"
    assert malformed.status_code == 400 and unknown.status_code == 400
    assert "colour" in unknown.json()["message"]


async def test_public_directory_needs_no_token(gateway):
    """R-CARD-01: the public list is open; an empty read model is an empty page."""
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        reply = await http.get("/v1/directory", params={"page_size": "5"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["entries"] == [] and reply.json()["next_page_token"] == ""


async def test_entitlement_facade_over_http_posts_the_request_as_json(gateway):
    """R-ENT-01 over HTTP: the JSON body is the request message; the answer is the status service's."""
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        reply = await http.post(
            "/v1/discount-entitlement:check",
            json={"buyer_login": "olena", "product_family": "SITE_MANAGEMENT"},
            headers=bearer(gateway.sales()),
        )
    assert reply.status_code == 200, reply.text
    assert reply.json()["allowed"] is True and reply.json()["discount_percent"] == 45
    forwarded = gateway.backends.status.entitlement_requests[-1]
    assert forwarded.buyer_login == "olena" and forwarded.product_family == "SITE_MANAGEMENT"


async def test_cors_admits_the_vendor_site_only(gateway):
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        allowed = await http.options(
            "/v1/directory",
            headers={"Origin": "https://partners.example.ua", "Access-Control-Request-Method": "GET"},
        )
        refused = await http.options(
            "/v1/directory", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://partners.example.ua"
    assert "access-control-allow-origin" not in refused.headers


async def test_the_process_serves_its_openapi_document_and_health(gateway):
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        document = await http.get("/openapi.json")
        health = await http.get("/healthz")
    assert document.status_code == 200
    assert "/v1/partners/{partner_id}/cabinet" in document.json()["paths"]
    assert health.json() == {"status": "SERVING"}
