"""schemathesis against the committed OpenAPI document: the served HTTP API gives no 5xx and
every answer matches the document's schema, for generated valid and invalid requests."""

import asyncio
import sys
from pathlib import Path

import pytest

from gateway_service.http.routes import OPENAPI_FILE

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


async def test_the_api_conforms_to_its_committed_openapi_document(gateway, tmp_path: Path):
    gateway.backends.status.partners.add("p-1")
    base_url = await gateway.http_base_url()
    # The CLI runs in its own process while this loop keeps serving the gateway.
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(OPENAPI_FILE),
        "--url",
        base_url,
        "--checks",
        CHECKS,
        "--max-examples",
        "25",
        "--seed",
        "20261201",
        "--workers",
        "1",
        # Examples, the schema's boundary values and random requests; the stateful phase only
        # follows next_page_token, which the fuzzing phase covers as a plain string.
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: {dict(gateway.staff())['authorization']}",
        "--report-dir",
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
