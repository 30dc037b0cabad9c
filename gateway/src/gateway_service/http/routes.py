"""What the gateway exposes over HTTP: the annotated GatewayService methods and their document."""

from __future__ import annotations

from pathlib import Path

from google.protobuf.descriptor import ServiceDescriptor
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from gateway_service.entrypoints.access import ACCESS
from gateway_service.http.transcoding import Transcoder
from partnerprogram.gateway.v1 import gateway_service_pb2
from ppcore.auth import Allow

# Committed; `make openapi` regenerates it and a test checks it is current.
OPENAPI_FILE = Path(__file__).resolve().parents[3] / "openapi" / "gateway.v1.openapi.json"
OPENAPI_PATH = "/openapi.json"


def api_services() -> list[ServiceDescriptor]:
    return [gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"]]


def public_methods() -> dict[str, bool]:
    """Methods anyone may call without a token (their operations say so in the document)."""
    return {name: rule == Allow.public() for name, rule in ACCESS.items()}


async def _openapi(_: Request) -> Response:
    return FileResponse(OPENAPI_FILE, media_type="application/json")


def api_routes(transcoder: Transcoder) -> list[BaseRoute]:
    return [Route(OPENAPI_PATH, _openapi, methods=["GET"]), *transcoder.routes()]
