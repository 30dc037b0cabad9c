"""Edge checks of every request, derived from its protobuf descriptor.

The server interceptor calls :func:`validate_request` before authorization, for every
RPC of every service, so a value no column, parser or clock can hold never reaches a use
case (issue 12). Nothing here is annotated per RPC: the limits follow from the field's
type and from its name (the suite's naming convention), with per-field exceptions in
:data:`OVERRIDES`. RPCs and fields added later are covered automatically.

Per field type:
- ``string``: a maximum length and a character rule from the field name (see
  :data:`NAME_RULES`); a NUL or another control character is never accepted
  (free text may hold tab and line breaks); money and point figures (``*_uah``,
  ``*_points``) must be plain decimal numbers (:mod:`ppcore.decimals`).
- enums: the number must be one the enum defines.
- ``google.protobuf.Timestamp``: between :data:`EARLIEST` and :data:`LATEST`.
- integers: 0 .. 2**31-1 (``*_days`` at most :data:`MAX_DAYS`); doubles finite.
- repeated fields at most :data:`MAX_ITEMS` items; bytes at most :data:`MAX_BYTES`.
- a request with a ``request_id`` field is a write: the id is required, so a retry is
  recognised and two calls never act twice (issue 10).

A refusal is INVALID_ARGUMENT naming the field and quoting at most a short prefix of the
bad value, so a huge value never travels back in the error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from ppcore.decimals import decimal_problem, quote
from ppcore.errors import InvalidArgument
from ppcore.paging import query_fingerprint, set_list_scope

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
MAX_INT = 2**31 - 1
MAX_DAYS = 36_600  # a century: the widest window any "within_days"-style field needs
MAX_ITEMS = 1_000
MAX_BYTES = 1 << 20
MAX_DEPTH = 16


class Chars(Enum):
    """Which characters a string may hold (control characters never, NUL included)."""

    TOKEN = "token"  # ids, codes, keys, dates: one line (the service checks its own shape)
    LINE = "line"  # names, e-mails, urls, phones: one line of printable text
    TEXT = "text"  # notes, reasons, descriptions: lines of text (tab, CR, LF allowed)
    DECIMAL = "decimal"  # money and point figures: ppcore.decimals


@dataclass(frozen=True)
class TextRule:
    max_length: int
    chars: Chars


# Field name -> rule, tried in order: exact name first, then suffix. The lengths are those
# of the columns that keep the values (ORM `String(n)`), so a value that passes always fits.
NAME_RULES: tuple[tuple[str, TextRule], ...] = (
    ("=request_id", TextRule(128, Chars.TOKEN)),
    ("=page_token", TextRule(512, Chars.TOKEN)),
    ("=order_id", TextRule(128, Chars.TOKEN)),
    ("=certificate_id", TextRule(128, Chars.TOKEN)),
    ("=item_id", TextRule(128, Chars.TOKEN)),
    ("=source_id", TextRule(128, Chars.TOKEN)),
    ("=license_key", TextRule(128, Chars.TOKEN)),
    ("=site_url", TextRule(2048, Chars.LINE)),
    ("=city", TextRule(128, Chars.LINE)),
    ("_id", TextRule(64, Chars.TOKEN)),
    ("_ids", TextRule(64, Chars.TOKEN)),
    ("_by", TextRule(128, Chars.TOKEN)),
    ("_code", TextRule(64, Chars.TOKEN)),
    ("_codes", TextRule(64, Chars.TOKEN)),
    ("_version", TextRule(64, Chars.TOKEN)),
    ("_date", TextRule(32, Chars.TOKEN)),
    ("_uah", TextRule(32, Chars.DECIMAL)),
    ("_points", TextRule(32, Chars.DECIMAL)),
    ("=points", TextRule(32, Chars.DECIMAL)),
    ("_document", TextRule(262_144, Chars.TEXT)),  # a whole document, e.g. a candidate policy (YAML)
    ("_ref", TextRule(512, Chars.LINE)),
    ("_urls", TextRule(2048, Chars.LINE)),
    ("login", TextRule(255, Chars.TOKEN)),
    ("email", TextRule(255, Chars.LINE)),
    ("phone", TextRule(64, Chars.LINE)),
    ("url", TextRule(512, Chars.LINE)),
    ("domain", TextRule(253, Chars.TOKEN)),
    ("address", TextRule(512, Chars.LINE)),
    ("name", TextRule(255, Chars.LINE)),
    ("=title", TextRule(255, Chars.LINE)),
)
FREE_TEXT = TextRule(4000, Chars.TEXT)
"""Any other string: free text."""

OVERRIDES: dict[str, TextRule] = {}
"""Exceptions by full field name (``partnerprogram.x.v1.Message.field``) where the
convention does not fit. Empty while every field follows it."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_rule(field: FieldDescriptor) -> TextRule:
    """The rule of a string field: an override, else the first matching name convention."""
    if field.full_name in OVERRIDES:
        return OVERRIDES[field.full_name]
    name = field.name
    for pattern, rule in NAME_RULES:
        if pattern.startswith("="):
            if name == pattern[1:]:
                return rule
        elif name.endswith(pattern):
            return rule
    return FREE_TEXT


def string_problem(value: str, rule: TextRule) -> tuple[str, str] | None:
    """(reason, description) when ``value`` breaks ``rule``."""
    if len(value) > rule.max_length:
        return "VALUE_TOO_LONG", f"at most {rule.max_length} characters, got {len(value)}"
    if rule.chars is Chars.DECIMAL:
        problem = decimal_problem(value) if value else None
        return ("AMOUNT_INVALID", problem) if problem else None
    pattern = _CONTROL_IN_TEXT if rule.chars is Chars.TEXT else _CONTROL
    if pattern.search(value):
        return "CHARACTERS_NOT_ALLOWED", "control characters (NUL included) are not allowed"
    return None


def _refuse(path: str, reason: str, description: str) -> InvalidArgument:
    return InvalidArgument.for_field(path, description, reason=reason)


Check = Callable[[object, str], None]


def _string_check(field: FieldDescriptor) -> Check:
    rule = text_rule(field)

    def check(value: object, path: str) -> None:
        text = str(value)
        problem = string_problem(text, rule)
        if problem is not None:
            reason, description = problem
            raise _refuse(path, reason, f"{quote(text)}: {description}")

    return check


def _enum_check(field: FieldDescriptor) -> Check:
    enum = field.enum_type
    assert enum is not None
    known = frozenset(enum.values_by_number)
    enum_name = enum.name

    def check(value: object, path: str) -> None:
        if value not in known:
            raise _refuse(path, "ENUM_VALUE_UNKNOWN", f"{value} is not a value of {enum_name}")

    return check


def _int_check(field: FieldDescriptor) -> Check:
    top = MAX_DAYS if field.name.endswith("_days") else MAX_INT

    def check(value: object, path: str) -> None:
        number = int(value)  # type: ignore[call-overload]
        if not 0 <= number <= top:
            raise _refuse(path, "NUMBER_OUT_OF_RANGE", f"{number} is outside 0..{top}")

    return check


def _float_check(value: object, path: str) -> None:
    if not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise _refuse(path, "NUMBER_OUT_OF_RANGE", "must be a finite number")


def _bytes_check(value: object, path: str) -> None:
    if len(value) > MAX_BYTES:  # type: ignore[arg-type]
        raise _refuse(path, "VALUE_TOO_LONG", f"at most {MAX_BYTES} bytes")


def _no_check(value: object, path: str) -> None:
    return None


_INTS = frozenset(
    {
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED32,
        FieldDescriptor.TYPE_SFIXED64,
    }
)


def _scalar_check(field: FieldDescriptor) -> Check:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return _string_check(field)
    if kind == FieldDescriptor.TYPE_ENUM:
        return _enum_check(field)
    if kind in _INTS:
        return _int_check(field)
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return _float_check
    if kind == FieldDescriptor.TYPE_BYTES:
        return _bytes_check
    return _no_check


_checks: dict[str, Check] = {}


def _check_for(field: FieldDescriptor) -> Check:
    check = _checks.get(field.full_name)
    if check is None:
        check = _checks[field.full_name] = _scalar_check(field)
    return check


def _is_write(descriptor: Any) -> bool:
    field = descriptor.fields_by_name.get("request_id")
    return field is not None and field.type == FieldDescriptor.TYPE_STRING


def _check_timestamp(message: Message, path: str) -> None:
    seconds = getattr(message, "seconds", 0)
    nanos = getattr(message, "nanos", 0)
    if not EARLIEST.timestamp() <= seconds <= LATEST.timestamp() or not 0 <= nanos <= 999_999_999:
        raise _refuse(
            path,
            "TIMESTAMP_OUT_OF_RANGE",
            f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)",
        )


def _check_message(message: Message, prefix: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _refuse(prefix or "request", "TOO_DEEP", f"nested deeper than {MAX_DEPTH} levels")
    if message.DESCRIPTOR.full_name == "google.protobuf.Timestamp":
        _check_timestamp(message, prefix)
        return
    for field, value in message.ListFields():
        path = f"{prefix}.{field.name}" if prefix else field.name
        if field.is_repeated:
            if len(value) > MAX_ITEMS:
                raise _refuse(path, "TOO_MANY_ITEMS", f"at most {MAX_ITEMS} items, got {len(value)}")
            entry = field.message_type
            if entry is not None and entry.GetOptions().map_entry:
                key_check = _check_for(entry.fields_by_name["key"])
                for key, item in value.items():
                    key_check(key, path)
                    _check_value(entry.fields_by_name["value"], item, f"{path}[{quote(str(key), 16)}]", depth)
                continue
            for index, item in enumerate(value):
                _check_value(field, item, f"{path}[{index}]", depth)
        else:
            _check_value(field, value, path, depth)


def _check_value(field: FieldDescriptor, value: object, path: str, depth: int) -> None:
    if field.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        _check_message(value, path, depth + 1)  # type: ignore[arg-type]
    else:
        _check_for(field)(value, path)


def validate_request(request: Message) -> None:
    """Refuse ``request`` (INVALID_ARGUMENT naming the first bad field) unless every set
    field keeps the limits above and a write carries its ``request_id``."""
    if _is_write(request.DESCRIPTOR) and not getattr(request, "request_id", ""):
        raise InvalidArgument.for_field(
            "request_id",
            "required on every write: a unique id per intended change, reused only to retry it",
            reason="REQUEST_ID_REQUIRED",
        )
    _check_message(request, "", 0)


class MalformedRequest:
    """Stands in for a request whose bytes did not parse, so the call can be refused
    cleanly (INVALID_ARGUMENT, one quiet log line) instead of failing inside gRPC."""

    def __init__(self, error: str) -> None:
        self.error = error


def tolerant_deserializer(deserialize: Callable[[bytes], object] | None) -> Callable[[bytes], object] | None:
    """Wrap a request deserializer: a body that does not parse becomes a :class:`MalformedRequest`."""
    if deserialize is None:
        return None
    inner = deserialize

    def parse(data: bytes) -> object:
        try:
            return inner(data)
        except Exception as exc:  # DecodeError, invalid UTF-8, recursion limit: all the caller's fault
            return MalformedRequest(type(exc).__name__)

    return parse


def check_request(method: str, request: object) -> None:
    """Everything the edge checks before a servicer runs: the body parsed, the limits hold,
    and a List call's page tokens are bound to this query (ppcore.paging)."""
    if isinstance(request, MalformedRequest):
        raise InvalidArgument(
            reason="REQUEST_MALFORMED", message=f"request: the body is not a valid protobuf message ({request.error})"
        )
    if not isinstance(request, Message):
        return
    validate_request(request)
    if "page_token" in request.DESCRIPTOR.fields_by_name:
        set_list_scope(query_fingerprint(method, request))
