"""What ops see of the running suite: Prometheus series scraped from the processes' metrics
ports after real calls, and a caller's trace id in the log line of every consumer that
applied an event the call caused (the trace context travels in the event envelope)."""

from __future__ import annotations

import asyncio
import json
import secrets
import urllib.error
import urllib.request

import grpc
import pytest
from e2e_support import eventually, md, onboard_partner

from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as gateway_grpc
from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.testing.metrics import Samples, parse_samples
from ppcore.testing.metrics import sample_sum as value

pytestmark = [pytest.mark.nats]


@pytest.fixture(scope="module")
def suite_settings() -> dict[str, str]:
    return {"LOG_LEVEL": "INFO", "LOG_FORMAT": "json", "METRICS_PORT": "free"}


async def http_get(port: int, path: str) -> tuple[int, str]:
    def fetch() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    return await asyncio.to_thread(fetch)


async def scrape(port: int) -> Samples:
    status, text = await http_get(port, "/metrics")
    assert status == 200
    return parse_samples(text)


async def test_metrics_of_a_running_process_show_rpcs_outbox_and_consumers(suite, tokens):
    async with grpc.aio.insecure_channel(suite.address("status")) as channel:
        partner_id = await onboard_partner(channel, tokens, "metrics-login")
    async with grpc.aio.insecure_channel(suite.address("gateway")) as channel:
        # The cabinet fans out to the four backends: client-side series in the gateway.
        await gateway_grpc.GatewayServiceStub(channel).GetPartnerCabinet(
            gateway_pb.GetPartnerCabinetRequest(partner_id=partner_id), metadata=md(tokens.staff()), timeout=10
        )

    status_port, gateway_port = suite.metrics_ports["status"], suite.metrics_ports["gateway"]
    assert await http_get(status_port, "/readyz") == (200, "ready\n")
    assert (await http_get(status_port, "/livez"))[0] == 200

    status_samples = await eventually(lambda: scrape(status_port), lambda s: value(s, "pp_outbox_published_total") >= 1)
    approved = value(
        status_samples,
        "grpc_server_handled_total",
        grpc_service="partnerprogram.status.v1.StatusService",
        grpc_method="ApproveApplication",
        grpc_code="OK",
    )
    assert approved == 1
    assert value(status_samples, "grpc_server_handling_seconds_count", grpc_method="ApproveApplication") == 1
    assert ("pp_outbox_oldest_unsent_age_seconds", ()) in status_samples
    assert ("pp_outbox_backlog", ()) in status_samples
    assert any(n == "pp_db_pool_connections" for n, _ in status_samples)

    gateway_samples = await eventually(
        lambda: scrape(gateway_port),
        lambda s: value(s, "pp_consumer_handled_total", consumer="gateway-status") >= 1,
    )
    assert ("pp_consumer_lag", (("consumer", "gateway-status"),)) in gateway_samples
    assert value(gateway_samples, "pp_consumer_dead_letters_total", consumer="gateway-status") == 0
    assert (
        value(gateway_samples, "grpc_client_handled_total", grpc_service="partnerprogram.status.v1.StatusService") >= 1
    )
    assert value(gateway_samples, "grpc_client_handling_seconds_count") >= 1
    assert value(gateway_samples, "grpc_server_handled_total", grpc_method="GetPartnerCabinet", grpc_code="OK") == 1


def handled_lines(suite, name: str) -> list[dict]:
    lines = []
    for raw in suite.logs[name].read_text(errors="replace").splitlines():
        if '"events.handled"' in raw:
            lines.append(json.loads(raw))
    return lines


async def test_a_callers_trace_id_appears_in_the_consumer_log_line_of_the_event_it_caused(suite, tokens):
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    async with grpc.aio.insecure_channel(suite.address("status")) as channel:
        stub = status_grpc.StatusServiceStub(channel)
        data = partner_pb2.ApplicantData(
            legal_form=partner_pb2.LEGAL_FORM_LEGAL_ENTITY,
            company_name="Traced studio",
            city="Lviv",
            contact_name="Taras",
            contact_email="traced@example.ua",
            contact_phone="+380 32 123 4567",
            activities=[partner_pb2.ACTIVITY_WEB_PROJECTS],
            applicant_login="traced-login",
            personal_data_consent=True,
        )
        created = await stub.CreateApplication(
            status_pb.CreateApplicationRequest(request_id="traced-app", data=data), metadata=md(tokens.system())
        )
        approved = await stub.ApproveApplication(
            status_pb.ApproveApplicationRequest(
                request_id="traced-ok", application_id=created.application.application_id
            ),
            metadata=(*md(tokens.staff()), ("traceparent", traceparent)),
        )
    partner_id = approved.partner.partner_id

    def traced(name: str) -> list[dict]:
        return [line for line in handled_lines(suite, name) if line.get("partner_id") == partner_id]

    async def lines_of_gateway() -> list[dict]:
        return traced("gateway")

    lines = await eventually(lines_of_gateway, lambda found: bool(found))
    assert {line["trace_id"] for line in lines} == {trace_id}
    assert all(line["consumer"] == "gateway-status" and line["event_id"] for line in lines)
    # The call's own line carries the same trace id; the application created without one does not.
    status_log = suite.logs["status"].read_text(errors="replace").splitlines()
    completed = [json.loads(raw) for raw in status_log if '"rpc.completed"' in raw]
    approve = [c for c in completed if c.get("request_id") == "traced-ok"]
    assert approve and approve[0]["trace_id"] == trace_id and approve[0]["code"] == "OK"
    create = [c for c in completed if c.get("request_id") == "traced-app"]
    assert create and "trace_id" not in create[0]
