"""The committed OpenAPI document is the one the protos give today."""

import json

from gateway_service.http.routes import OPENAPI_FILE
from scripts.gen_openapi import render


def test_committed_openapi_document_is_current():
    """Fails after a proto change until `make openapi` is run and the result committed."""
    assert OPENAPI_FILE.read_text() == render(), "run `make openapi` and commit gateway/openapi/"


def test_document_describes_each_operation_from_the_proto_comments():
    document = json.loads(OPENAPI_FILE.read_text())
    operation = document["paths"]["/v1/partners/{partner_id}/cabinet"]["get"]
    assert operation["operationId"] == "GetPartnerCabinet"
    assert "R-CARD-04" in operation["description"]
    assert operation["security"] == [{"bearer": []}]
    schema = document["components"]["schemas"]["partnerprogram.gateway.v1.DirectoryEntry"]
    assert schema["properties"]["tier"]["allOf"][0]["$ref"].endswith("partnerprogram.status.v1.PartnerTier")
