"""HTTP/JSON -> gRPC, generically, from the ``google.api.http`` annotations (AIP-127).

For each annotated method of a service descriptor a route is made: the path template's
variables, the query string (GET) or the JSON body (``body: "*"``) fill the request
message through ``json_format``; the call goes to the process's own gRPC server over a
loopback channel with the caller's ``Authorization`` header, so authentication, access
rules, validation and error mapping are the gRPC ones, exactly as behind Envoy's
gRPC-JSON transcoder in Kubernetes. Nothing here knows a message by name.

JSON names: the proto field names (``partner_id``), as Envoy's
``preserve_proto_field_names`` gives; every field is printed, set or not
(``always_print_fields_with_no_presence``), so a client sees the whole shape; enums by
name; 64-bit integers as strings (the proto3 JSON mapping).

Errors: the gRPC status as ``google.rpc.Status`` JSON (``code``, ``message``, ``details``
with ``ErrorInfo`` reason and rule and ``BadRequest`` field violations), with the HTTP
status of Google's mapping (``google/rpc/code.proto``): what Envoy's transcoder sends with
``convert_grpc_status``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.api import annotations_pb2, http_pb2
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ppcore.grpc_errors import status_from_rpc_error

# google/rpc/code.proto, "HTTP Mapping" of each code.
HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}

_VARIABLE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class HttpBinding:
    """One method's HTTP binding: verb, path template, its variables and the body rule."""

    method: MethodDescriptor
    verb: str
    path: str
    path_fields: tuple[str, ...]
    body: str

    @property
    def grpc_path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"


def http_rule(method: MethodDescriptor) -> http_pb2.HttpRule | None:
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return None
    return options.Extensions[annotations_pb2.http]


def bindings(service: ServiceDescriptor) -> list[HttpBinding]:
    """Every annotated method of ``service`` (unannotated ones stay gRPC only)."""
    found: list[HttpBinding] = []
    for method in service.methods:
        rule = http_rule(method)
        if rule is None:
            continue
        verb = rule.WhichOneof("pattern")
        if verb not in {"get", "post", "put", "patch", "delete"}:
            raise ValueError(f"{method.full_name}: HTTP pattern {verb!r} is not supported")
        path = str(getattr(rule, verb))
        fields = tuple(_VARIABLE.findall(path))
        if re.sub(_VARIABLE, "", path).count("{"):
            raise ValueError(f"{method.full_name}: only simple {{field}} path variables are supported: {path}")
        for name in fields:
            if name not in method.input_type.fields_by_name:
                raise ValueError(f"{method.full_name}: path variable {name} is not a request field")
        if verb == "get" and rule.body:
            raise ValueError(f"{method.full_name}: a GET has no body")
        if rule.body not in {"", "*"}:
            raise ValueError(f"{method.full_name}: only body '*' or none is supported")
        found.append(HttpBinding(method, verb.upper(), path, fields, rule.body))
    return found


def query_fields(binding: HttpBinding) -> list[FieldDescriptor]:
    """Request fields a GET takes from the query string: the top-level scalars not in the path."""
    if binding.body:
        return []
    return [
        f
        for f in binding.method.input_type.fields
        if f.name not in binding.path_fields and f.type != FieldDescriptor.TYPE_MESSAGE
    ]


class RequestError(Exception):
    """The HTTP request cannot become the request message: INVALID_ARGUMENT before any call."""


def _scalar(field: FieldDescriptor, text: str) -> Any:
    """A query or path value as JSON would carry it; json_format then checks it."""
    if field.type == FieldDescriptor.TYPE_BOOL:
        if text not in {"true", "false"}:
            raise RequestError(f"{field.name}: expected true or false, got {text!r}")
        return text == "true"
    return text  # numbers and enum names as strings are valid proto3 JSON


def request_message(
    binding: HttpBinding, path_params: Mapping[str, str], query: Iterable[tuple[str, str]], body: bytes
) -> Message:
    """The request message from the path variables, the query string or the JSON body."""
    message = message_factory.GetMessageClass(binding.method.input_type)()
    document: dict[str, Any] = {}
    if binding.body == "*":
        if body.strip():
            try:
                json_format.Parse(body, message, ignore_unknown_fields=False)
            except (json_format.ParseError, UnicodeDecodeError) as error:
                raise RequestError(f"the body is not a {binding.method.input_type.name} in JSON: {error}") from None
    else:
        allowed = {f.name: f for f in query_fields(binding)} | {f.json_name: f for f in query_fields(binding)}
        for name, value in query:
            field = allowed.get(name)
            if field is None:
                raise RequestError(f"{name}: not a query parameter of {binding.method.name}")
            converted = _scalar(field, value)
            if field.is_repeated:
                document.setdefault(field.name, []).append(converted)
            else:
                document[field.name] = converted
    for name in binding.path_fields:
        document[name] = _scalar(binding.method.input_type.fields_by_name[name], path_params[name])
    if document:
        try:
            json_format.ParseDict(document, message, ignore_unknown_fields=False)
        except json_format.ParseError as error:
            raise RequestError(str(error)) from None
    return message


def response_json(reply: Message) -> dict[str, Any]:
    """A reply as the API's JSON: proto field names, every field, enums by name."""
    return json_format.MessageToDict(reply, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def status_json(status: status_pb2.Status) -> dict[str, Any]:
    return json_format.MessageToDict(status, preserving_proto_field_name=True)


def error_response(status: status_pb2.Status) -> JSONResponse:
    http = HTTP_STATUS.get(_code(status.code), 500)
    return JSONResponse(status_json(status), status_code=http)


def _code(value: int) -> grpc.StatusCode:
    for code in grpc.StatusCode:
        if code.value[0] == value:
            return code
    return grpc.StatusCode.UNKNOWN


def _status_of(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    rich = status_from_rpc_error(error)
    if rich is not None:
        return rich
    return status_pb2.Status(code=error.code().value[0], message=error.details() or error.code().name)


def invalid_request(message: str) -> status_pb2.Status:
    details = error_details_pb2.ErrorInfo(reason="HTTP_REQUEST_INVALID", domain="partnerprogram")
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message)
    status.details.add().Pack(details)
    return status


Endpoint = Callable[[Request], Awaitable[Response]]


def _ascii(value: str) -> bool:
    return value.isascii() and value.isprintable()


class Transcoder:
    """Routes for the annotated methods of ``services``; calls go to the channel given to
    :meth:`attach` (the process's own gRPC server, known once it listens)."""

    def __init__(self, services: Sequence[ServiceDescriptor], *, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._channel: grpc.aio.Channel | None = None
        self.bindings = [binding for service in services for binding in bindings(service)]

    def attach(self, channel: grpc.aio.Channel) -> None:
        self._channel = channel

    def routes(self) -> list[BaseRoute]:
        return [Route(b.path, self._endpoint(b), methods=[b.verb], name=b.method.name) for b in self.bindings]

    def _endpoint(self, binding: HttpBinding) -> Endpoint:
        response_class = message_factory.GetMessageClass(binding.method.output_type)

        async def endpoint(request: Request) -> Response:
            if self._channel is None:
                return error_response(_plain(grpc.StatusCode.UNAVAILABLE, "the gRPC server is not up yet"))
            body = await request.body() if binding.body else b""
            try:
                message = request_message(binding, request.path_params, request.query_params.multi_items(), body)
            except RequestError as error:
                return error_response(invalid_request(str(error)))
            request_id = request.headers.get("x-request-id", "")
            metadata = [("x-request-id", request_id if _ascii(request_id) and request_id else uuid.uuid4().hex)]
            if authorization := request.headers.get("authorization"):
                if not _ascii(authorization):
                    return error_response(_plain(grpc.StatusCode.UNAUTHENTICATED, "authorization: not a bearer token"))
                metadata.append(("authorization", authorization))
            call = self._channel.unary_unary(
                binding.grpc_path,
                request_serializer=_serialize,
                response_deserializer=response_class.FromString,
            )
            try:
                reply = await call(message, metadata=metadata, timeout=self._timeout)
            except grpc.aio.AioRpcError as error:
                return error_response(_status_of(error))
            return JSONResponse(response_json(reply))

        return endpoint


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def _plain(code: grpc.StatusCode, message: str) -> status_pb2.Status:
    return status_pb2.Status(code=code.value[0], message=message)
