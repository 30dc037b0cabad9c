"""An OpenAPI 3.1 document from the gRPC descriptors and their ``google.api.http`` annotations.

The document follows what the transcoder does (``transcoding``): proto field names as JSON
names, enums by name, 64-bit integers as strings, errors as ``google.rpc.Status``. Field
and method descriptions are the proto comments when the descriptors carry source info
(``scripts/gen_openapi.py`` builds them with it); the result is committed and served.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor, ServiceDescriptor

from gateway_service.http.transcoding import HttpBinding, bindings, query_fields

F = FieldDescriptor
_SCALARS: dict[int, dict[str, Any]] = {
    F.TYPE_DOUBLE: {"type": "number", "format": "double"},
    F.TYPE_FLOAT: {"type": "number", "format": "float"},
    F.TYPE_INT32: {"type": "integer", "format": "int32"},
    F.TYPE_SINT32: {"type": "integer", "format": "int32"},
    F.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    F.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0},
    F.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0},
    F.TYPE_INT64: {"type": "string", "format": "int64"},
    F.TYPE_SINT64: {"type": "string", "format": "int64"},
    F.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    F.TYPE_UINT64: {"type": "string", "format": "uint64"},
    F.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    F.TYPE_BOOL: {"type": "boolean"},
    F.TYPE_STRING: {"type": "string"},
    F.TYPE_BYTES: {"type": "string", "format": "byte"},
}
# Well-known types with their own JSON form (the proto3 JSON mapping).
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?s$"},
    "google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "required": ["@type"],
        "additionalProperties": True,
    },
}
STATUS_SCHEMA = "google.rpc.Status"


class Comments:
    """Leading comments of proto elements, by full name, from descriptors with source info."""

    def __init__(self, files: Sequence[descriptor_pb2.FileDescriptorProto] = ()) -> None:
        self._by_name: dict[str, str] = {}
        for file in files:
            self._read(file)

    def get(self, full_name: str) -> str:
        return self._by_name.get(full_name, "")

    def _read(self, file: descriptor_pb2.FileDescriptorProto) -> None:
        comments = {
            tuple(location.path): location.leading_comments.strip()
            for location in file.source_code_info.location
            if location.leading_comments
        }
        prefix = f"{file.package}." if file.package else ""

        def messages(items: Any, path: tuple[int, ...], scope: str) -> None:
            for i, message in enumerate(items):
                name = f"{scope}{message.name}"
                here = (*path, i)
                self._put(name, comments.get(here))
                for j, field in enumerate(message.field):
                    self._put(f"{name}.{field.name}", comments.get((*here, 2, j)))
                messages(message.nested_type, (*here, 3), f"{name}.")
                enums(message.enum_type, (*here, 4), f"{name}.")

        def enums(items: Any, path: tuple[int, ...], scope: str) -> None:
            for i, enum in enumerate(items):
                self._put(f"{scope}{enum.name}", comments.get((*path, i)))

        messages(file.message_type, (4,), prefix)
        enums(file.enum_type, (5,), prefix)
        for i, service in enumerate(file.service):
            self._put(f"{prefix}{service.name}", comments.get((6, i)))
            for j, method in enumerate(service.method):
                self._put(f"{prefix}{service.name}.{method.name}", comments.get((6, i, 2, j)))

    def _put(self, name: str, text: str | None) -> None:
        if text:
            self._by_name[name] = " ".join(line.strip() for line in text.splitlines()).strip()


class _Builder:
    def __init__(self, comments: Comments) -> None:
        self.comments = comments
        self.schemas: dict[str, Any] = {}

    def ref(self, message: Descriptor) -> dict[str, Any]:
        name = message.full_name
        if name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[name])
        if name not in self.schemas:
            self.schemas[name] = {}  # reserve first: messages may refer to themselves
            self.schemas[name] = self._message(message)
        return {"$ref": f"#/components/schemas/{name}"}

    def _message(self, message: Descriptor) -> dict[str, Any]:
        properties = {field.name: self.field(field) for field in message.fields}
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        if text := self.comments.get(message.full_name):
            schema["description"] = text
        return schema

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            schema: dict[str, Any] = {"type": "object", "additionalProperties": self.single(value)}
        elif field.is_repeated:
            schema = {"type": "array", "items": self.single(field)}
        else:
            schema = self.single(field)
        if text := self.comments.get(field.full_name):
            schema = (
                {**schema, "description": text} if "$ref" not in schema else {"allOf": [schema], "description": text}
            )
        return schema

    def single(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None:
            return self.ref(field.message_type)
        if field.enum_type is not None:
            return self.enum(field.enum_type)
        return dict(_SCALARS[field.type])

    def enum(self, enum: EnumDescriptor) -> dict[str, Any]:
        name = enum.full_name
        if name not in self.schemas:
            schema: dict[str, Any] = {"type": "string", "enum": [value.name for value in enum.values]}
            if text := self.comments.get(name):
                schema["description"] = text
            self.schemas[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}


def _operation(builder: _Builder, binding: HttpBinding, public: bool) -> dict[str, Any]:
    method = binding.method
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": builder.single(method.input_type.fields_by_name[name])}
        for name in binding.path_fields
    ]
    for field in query_fields(binding):
        schema = builder.field(field)
        description = schema.pop("description", None) if "$ref" not in schema and "allOf" not in schema else None
        parameter: dict[str, Any] = {"name": field.name, "in": "query", "required": False, "schema": schema}
        if field.is_repeated:
            parameter["explode"] = True
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    error = {
        "description": "The gRPC status as JSON",
        "content": _json({"$ref": f"#/components/schemas/{STATUS_SCHEMA}"}),
    }
    operation: dict[str, Any] = {
        "operationId": method.name,
        "tags": [method.containing_service.name],
        "summary": method.name,
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", "content": _json(builder.ref(method.output_type))},
            "default": error,
        },
        "security": [{"bearer": []}, {}] if public else [{"bearer": []}],
    }
    if text := builder.comments.get(f"{method.containing_service.full_name}.{method.name}"):
        operation["description"] = text
    if binding.body == "*":
        operation["requestBody"] = {"required": True, "content": _json(builder.ref(method.input_type))}
    return operation


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _status_schemas() -> dict[str, Any]:
    return {
        STATUS_SCHEMA: {
            "type": "object",
            "description": "A refusal: gRPC code, message, and details (ErrorInfo reason and rule, BadRequest field violations).",
            "properties": {
                "code": {"type": "integer", "format": "int32"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": dict(_WELL_KNOWN["google.protobuf.Any"])},
            },
            "required": ["code", "message"],
        }
    }


def build_openapi(
    services: Sequence[ServiceDescriptor],
    *,
    public_methods: Mapping[str, bool],
    comments: Comments | None = None,
    title: str = "Partner program gateway",
    version: str = "v1",
) -> dict[str, Any]:
    """The document: one path per annotated method; ``public_methods`` marks calls open without a token."""
    builder = _Builder(comments or Comments())
    paths: dict[str, dict[str, Any]] = {}
    for service in services:
        for binding in bindings(service):
            public = public_methods.get(binding.method.name, False)
            paths.setdefault(binding.path, {})[binding.verb.lower()] = _operation(builder, binding, public)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "HTTP/JSON transcoding of the gateway's gRPC API (google.api.http, AIP-127). "
            "JSON names are the proto field names; errors are google.rpc.Status.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted((builder.schemas | _status_schemas()).items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
