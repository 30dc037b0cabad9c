"""Hostile values in every field of every RPC, against the real suite on PostgreSQL (issue 12).

Requests are built from the proto descriptors alone, so RPCs and fields added later are
fuzzed without touching this file. For each call:
- the answer is never INTERNAL, UNKNOWN or RESOURCE_EXHAUSTED (an error that overflows
  the trailers);
- no process logs an error line or a traceback;
- a write that is refused changes nothing in its service's database.

``FUZZ_EXAMPLES`` sets the examples per RPC (CI: a few, `make fuzz`: many); with
``FUZZ_REPORT=<file>`` the figures by status code are written there as JSON.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from suite_support import Suite, drop_databases, env_flag, fingerprint, start_suite

from compliance_service.entrypoints.access import ACCESS as COMPLIANCE_ACCESS
from gateway_service.entrypoints.access import ACCESS as GATEWAY_ACCESS
from licensing_service.entrypoints.access import ACCESS as LICENSING_ACCESS
from partnerprogram.compliance.v1 import compliance_service_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2
from partnerprogram.points.v1 import points_service_pb2
from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from points_service.entrypoints.access import ACCESS as POINTS_ACCESS
from ppcore.auth import AccessTable, CallerKind, PartnerRole
from ppcore.testing.plugin import Tokens, require_postgres
from status_service.entrypoints.access import ACCESS as STATUS_ACCESS

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

SERVICES: list[tuple[str, Any, AccessTable]] = [
    ("status", status_pb.DESCRIPTOR.services_by_name["StatusService"], STATUS_ACCESS),
    ("points", points_service_pb2.DESCRIPTOR.services_by_name["PointsService"], POINTS_ACCESS),
    ("licensing", licensing_service_pb2.DESCRIPTOR.services_by_name["LicensingService"], LICENSING_ACCESS),
    ("compliance", compliance_service_pb2.DESCRIPTOR.services_by_name["ComplianceService"], COMPLIANCE_ACCESS),
    ("gateway", gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"], GATEWAY_ACCESS),
]
METHODS = [(process, method, access) for process, service, access in SERVICES for method in service.methods]
EXAMPLES = env_flag("FUZZ_EXAMPLES", 8)
MEASURE_ONLY = env_flag("FUZZ_MEASURE_ONLY", 0) == 1
"""Count the answers without failing (for before/after figures on old code)."""
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.RESOURCE_EXHAUSTED}
FIGURES: Counter[str] = Counter()
KNOWN_IDS: list[str] = ["p-1"]  # the onboarded partner's id is added at start

HOSTILE_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "x" * 200_000,
    "x" * 65,
    "y" * 300,
    "z" * 4_100,
    "\u202e\u200b",
    "😀" * 20,
    "' OR 1=1 --",
    "%s%n%x",
    "../../etc/passwd",
    "\r\n\t",
    " ",
    "1e309",
    "NaN",
    "-0",
    "9" * 40,
    "2147483648",
    "9" * 19,
    "-1",
    "2026-02-30",
    "0000-00-00",
    "2026-11-30",
    "100.00",
    "someone@example.ua",
    "https://example.ua/",
]


def _int_bounds(field: FieldDescriptor) -> tuple[int, int]:
    kind = field.type
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return 0, 2**32 - 1
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return 0, 2**64 - 1
    if kind in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        return -(2**31), 2**31 - 1
    return -(2**63), 2**63 - 1


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        known = st.sampled_from(KNOWN_IDS) if field.name.endswith("_id") else st.nothing()
        return st.one_of(st.sampled_from(HOSTILE_TEXT), known, st.text(max_size=40))
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        defined = sorted(field.enum_type.values_by_number)
        return st.one_of(st.sampled_from(defined), st.sampled_from([-5, 999, 2**31 - 1, -(2**31)]))
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, allow_infinity=True, width=32 if kind == FieldDescriptor.TYPE_FLOAT else 64)
    low, high = _int_bounds(field)
    edges = sorted({v for v in (low, high, -1, 0, 1, 7, 2**31, 2**31 - 1, 10**12) if low <= v <= high})
    return st.one_of(st.sampled_from(edges), st.integers(min_value=max(low, -1000), max_value=min(high, 1000)))


def _timestamp() -> st.SearchStrategy[dict[str, int]]:
    seconds = st.sampled_from([-62_135_596_801, -1, 0, 1_800_000_000, 253_402_300_800, 10**12, 2**62])
    nanos = st.sampled_from([0, -1, 999_999_999, 1_000_000_000])
    return st.fixed_dictionaries({"seconds": seconds, "nanos": nanos})


def _field(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        assert field.message_type is not None
        if field.message_type.GetOptions().map_entry:
            key = _scalar(field.message_type.fields_by_name["key"])
            value = _field(field.message_type.fields_by_name["value"], depth)
            return st.dictionaries(key, value, max_size=3)
        single = message_strategy(field.message_type, depth + 1)
    else:
        single = _scalar(field)
    if field.is_repeated:
        return st.lists(single, max_size=3)
    return single


def message_strategy(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Any]:
    if descriptor.full_name == "google.protobuf.Timestamp":
        return _timestamp()
    if depth > 3:
        return st.just({})
    fields = {f.name: _field(f, depth) for f in descriptor.fields}
    return st.fixed_dictionaries({}, optional=fields)


def build(descriptor: Descriptor, values: dict[str, Any]) -> Any:
    """A message from generated values; values a message type cannot hold (e.g. int32
    overflow) are dropped, since they cannot be sent at all."""
    cls = message_factory.GetMessageClass(descriptor)
    message = cls()
    for name, value in values.items():
        field = descriptor.fields_by_name[name]
        try:
            if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type is not None:
                entry = field.message_type
                if entry.GetOptions().map_entry:
                    target = getattr(message, name)
                    for k, v in value.items():
                        if entry.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE:
                            target[k].CopyFrom(build(entry.fields_by_name["value"].message_type, v))
                        else:
                            target[k] = v
                elif field.is_repeated:
                    getattr(message, name).extend(build(entry, v) for v in value)
                else:
                    getattr(message, name).CopyFrom(build(entry, value))
            elif field.is_repeated:
                getattr(message, name).extend(value)
            else:
                setattr(message, name, value)
        except (ValueError, TypeError):
            message.ClearField(name)
    return message


def caller_token(tokens: Tokens, kind: CallerKind | None, partner_id: str) -> str | None:
    if kind is None:
        return None
    if kind is CallerKind.STAFF:
        return tokens.staff()
    if kind is CallerKind.SYSTEM:
        return tokens.system()
    if kind is CallerKind.SALES_PLATFORM:
        return tokens.sales_platform()
    return tokens.partner_user(partner_id, PartnerRole.MAIN)


def _onboard(suite: Suite, tokens: Tokens) -> str:
    with grpc.insecure_channel(suite.processes["status"].address) as channel:
        stub = channel.unary_unary(
            "/partnerprogram.status.v1.StatusService/CreateApplication",
            request_serializer=status_pb.CreateApplicationRequest.SerializeToString,
            response_deserializer=status_pb.CreateApplicationResponse.FromString,
        )
        data = partner_pb2.ApplicantData(
            legal_form=partner_pb2.LEGAL_FORM_LEGAL_ENTITY,
            company_name="Fuzz studio",
            city="Kyiv",
            contact_name="Olena",
            contact_email="fuzz@example.ua",
            contact_phone="+380 44 123 4567",
            activities=[partner_pb2.ACTIVITY_WEB_PROJECTS],
            applicant_login="fuzz-login",
            personal_data_consent=True,
        )
        created = stub(
            status_pb.CreateApplicationRequest(request_id="fuzz-app", data=data),
            metadata=(("authorization", f"Bearer {tokens.system()}"),),
            timeout=10,
        )
        approve = channel.unary_unary(
            "/partnerprogram.status.v1.StatusService/ApproveApplication",
            request_serializer=status_pb.ApproveApplicationRequest.SerializeToString,
            response_deserializer=status_pb.ApproveApplicationResponse.FromString,
        )
        approved = approve(
            status_pb.ApproveApplicationRequest(
                request_id="fuzz-ok", application_id=created.application.application_id
            ),
            metadata=(("authorization", f"Bearer {tokens.staff()}"),),
            timeout=10,
        )
        return str(approved.partner.partner_id)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, nats_server: Any, tokens: Tokens) -> Iterator[Suite]:
    import asyncio

    asyncio.run(require_postgres())
    running = start_suite(tmp_path_factory.mktemp("fuzz"), nats_server.url)
    try:
        KNOWN_IDS.append(_onboard(running, tokens))
        yield running
    finally:
        codes = running.stop()
        drop_databases(running)
        report = os.environ.get("FUZZ_REPORT")
        if report:
            with open(report, "w", encoding="utf-8") as out:
                json.dump(dict(sorted(FIGURES.items())), out, indent=2)
        assert all(code == 0 for code in codes.values()), f"processes did not stop cleanly: {codes}"


def _call(channel: grpc.Channel, method: MethodDescriptor, body: bytes, token: str | None) -> grpc.StatusCode:
    stub = channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda raw: raw,
        response_deserializer=lambda raw: raw,
    )
    metadata = (("authorization", f"Bearer {token}"),) if token else None
    try:
        stub(body, metadata=metadata, timeout=15)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return, attr-defined]
    return grpc.StatusCode.OK


def _kinds(access: AccessTable, method: MethodDescriptor) -> list[CallerKind | None]:
    allowed = sorted(access[method.name].kinds - {CallerKind.ANONYMOUS}, key=str)
    return [*allowed, *allowed, None] if allowed else [None]


@pytest.mark.parametrize(("process", "method", "access"), METHODS, ids=[f"{p}.{m.name}" for p, m, _ in METHODS])
def test_hostile_values_never_break_a_call(
    suite: Suite, tokens: Tokens, process: str, method: MethodDescriptor, access
):
    """Issue 12: "never INTERNAL or UNKNOWN, no process error log with a traceback, and a
    refused write changes nothing"."""
    target = suite.processes[process]
    is_write = "request_id" in method.input_type.fields_by_name
    seen: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=EXAMPLES <= 20,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        values=message_strategy(method.input_type),
        kind=st.sampled_from(_kinds(access, method)),
        raw=st.sampled_from([False, False, False, True]),
    )
    def one_call(values: dict[str, Any], kind: CallerKind | None, raw: bool) -> None:
        token = caller_token(tokens, kind, KNOWN_IDS[-1])
        body = build(method.input_type, values).SerializeToString()
        if raw:  # malformed bodies: truncated, or with garbage after a valid prefix
            body = body[: max(0, len(body) - 1)] + b"\xff\xff\xff\xff\xff"
        before = fingerprint(target.database_url) if is_write else None
        code = _call(channel, method, body, token)
        FIGURES[code.name] += 1
        if MEASURE_ONLY:
            FIGURES["log problems"] += len([p for proc in suite.processes.values() for p in proc.new_log_problems()])
            return
        assert code not in NEVER, f"{method.name} answered {code.name} for {str(values)[:300]} (raw={raw})"
        if is_write and code is not grpc.StatusCode.OK and before is not None:
            after = fingerprint(target.database_url)
            if after[1] == before[1]:  # no event was consumed meanwhile: the comparison is fair
                assert after[0] == before[0], f"refused {method.name} ({code.name}) changed the database"
        problems = [p for proc in suite.processes.values() for p in proc.new_log_problems()]
        seen.extend(problems)
        assert not problems, f"{method.name}: processes logged errors:\n" + "\n".join(problems[:5])

    with grpc.insecure_channel(target.address, options=[("grpc.max_send_message_length", 8 << 20)]) as channel:
        one_call()
