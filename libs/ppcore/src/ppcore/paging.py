"""The page window every List RPC reads from ``page_size`` and ``page_token``.

Page tokens are opaque to callers: URL-safe base64 of a versioned cursor sealed with a
checksum and bound to a fingerprint of the query it belongs to. Two kinds:

- **keyset** (:func:`keyset_window`, :func:`keyset_page`): the sort key of the last row
  of the page. The next page is ``WHERE (sort key) > (cursor) ORDER BY sort key``, one
  index range however deep the caller pages; used where the order is a unique key.
- **offset** (:func:`page_window`, :func:`next_page_token`): the offset of the next
  page's first item, at most :data:`MAX_OFFSET`; for small lists whose order has no
  unique key.

A token that was altered, comes from another List RPC or from the same RPC with other
filters (stale), or is of the other kind, is INVALID_ARGUMENT naming ``page_token``; a
bad size is INVALID_ARGUMENT naming ``page_size``. Every service answers the same way.

The query fingerprint is set per call by the server interceptor
(:func:`set_list_scope`); outside a call (unit tests) it is empty.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from google.protobuf.message import Message

from ppcore.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_OFFSET = 100_000
"""Deepest page start a token may name: a staff list is filtered long before this, and a
bound keeps a forged or runaway cursor from making the database scan without end."""

_VERSION = "1"
# A checksum key, not a secret: the cursor holds nothing a caller may not know; the seal
# only makes a hand-made or truncated token a clean INVALID_ARGUMENT.
_SEAL_KEY = b"partnerprogram.page-token.v1"
_list_scope: ContextVar[str] = ContextVar("list_scope", default="")


def _seal(body: str) -> str:
    return hmac.new(_SEAL_KEY, body.encode(), hashlib.blake2s).hexdigest()[:16]


def query_fingerprint(method: str, request: Message) -> str:
    """What a List call's token is bound to: the RPC and every field but the paging ones."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ("page_token", "page_size"):
        if name in copy.DESCRIPTOR.fields_by_name:
            copy.ClearField(name)
    digest = hashlib.blake2s(method.encode() + b"\0" + copy.SerializeToString(deterministic=True))
    return digest.hexdigest()[:12]


def set_list_scope(fingerprint: str) -> None:
    _list_scope.set(fingerprint)


def _sealed(body: str) -> str:
    return base64.urlsafe_b64encode(f"{body}.{_seal(body)}".encode()).decode().rstrip("=")


def encode_token(offset: int) -> str:
    """The opaque token of the page starting at ``offset`` of the current query."""
    return _sealed(f"{_VERSION}.{offset}.{_list_scope.get()}")


def token_for(method: str, request: Message, offset: int) -> str:
    """The token a server would issue for page ``offset`` of ``request`` on ``method``
    (``/package.Service/Rpc``): for benchmarks and tools that jump to a page."""
    scope = _list_scope.set(query_fingerprint(method, request))
    try:
        return encode_token(offset)
    finally:
        _list_scope.reset(scope)


def next_page_token(offset: int, limit: int, more: bool) -> str:
    """The token after a page of ``limit`` items that started at ``offset``; empty on the last."""
    return encode_token(offset + limit) if more else ""


def _bad_token(why: str) -> InvalidArgument:
    return InvalidArgument.for_field("page_token", why, reason="PAGE_TOKEN_INVALID")


_NOT_OURS = "is not a token from a previous response"


def _opened(token: str, *, version: str, max_length: int) -> str:
    """What a token sealed by this server carries after its version; INVALID_ARGUMENT for
    anything else (too long, not base64, another version, a broken seal)."""
    if len(token) > max_length:
        raise _bad_token(_NOT_OURS)
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _bad_token(_NOT_OURS) from None
    body, _, seal = text.rpartition(".")
    found, _, rest = body.partition(".")
    if found != version or not hmac.compare_digest(seal.encode(), _seal(body).encode()):
        raise _bad_token(_NOT_OURS)
    return rest


def _check_scope(scope: str) -> None:
    if scope != _list_scope.get():
        raise _bad_token("belongs to another query; start again without a token (the filters changed)")


def decode_token(token: str) -> int:
    """The offset a token names; INVALID_ARGUMENT when it is not one this query issued."""
    offset_text, _, scope = _opened(token, version=_VERSION, max_length=128).partition(".")
    if not offset_text.isdigit():
        raise _bad_token(_NOT_OURS)
    _check_scope(scope)
    offset = int(offset_text)
    if offset > MAX_OFFSET:
        raise _bad_token(f"points deeper than {MAX_OFFSET} items; narrow the filters")
    return offset


def page_limit(page_size: int, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """The number of items of the requested page."""
    if page_size < 0:
        raise InvalidArgument.for_field("page_size", "must not be negative", reason="PAGE_SIZE_INVALID")
    return min(page_size or default, maximum)


def page_window(
    page_size: int, page_token: str, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE
) -> tuple[int, int]:
    """(offset, limit) of the requested page."""
    limit = page_limit(page_size, default=default, maximum=maximum)
    return (decode_token(page_token) if page_token else 0), limit


# --- keyset cursors ------------------------------------------------------------------
_KEYSET_VERSION = "k1"
_MAX_KEYSET_TOKEN = 1024
KeyValue = str | int | float | bool | date | datetime | Decimal
_PARSERS: dict[type, Callable[[Any], Any]] = {
    str: str,
    int: int,
    float: float,
    bool: bool,
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    Decimal: Decimal,
}
_JSON_TYPES: dict[type, type | tuple[type, ...]] = {
    str: str,
    int: int,
    float: (float, int),
    bool: bool,
    datetime: str,
    date: str,
    Decimal: str,
}
T = TypeVar("T")


def _plain(value: KeyValue) -> str | int | float | bool:
    if isinstance(value, str | int | float | bool):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)


def encode_keyset(key: Sequence[KeyValue]) -> str:
    """The opaque token of the page after the row whose sort key is ``key``."""
    values = json.dumps([_plain(v) for v in key], separators=(",", ":"))
    return _sealed(f"{_KEYSET_VERSION}.{_list_scope.get()}.{values}")


def decode_keyset(token: str, kinds: Sequence[type]) -> tuple[Any, ...]:
    """The sort key a keyset token carries, one value of each of ``kinds`` (str, int,
    float, bool, date, datetime, Decimal); INVALID_ARGUMENT when this query did not issue it."""
    scope, _, values_text = _opened(token, version=_KEYSET_VERSION, max_length=_MAX_KEYSET_TOKEN).partition(".")
    _check_scope(scope)
    try:
        values = json.loads(values_text)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("arity")
        if not all(isinstance(v, _JSON_TYPES[k]) for v, k in zip(values, kinds, strict=True)):
            raise ValueError("type")
        return tuple(_PARSERS[k](v) for v, k in zip(values, kinds, strict=True))
    except (ValueError, ArithmeticError):  # a token of an older sort order
        raise _bad_token(_NOT_OURS) from None


def keyset_window(
    page_size: int,
    page_token: str,
    kinds: Sequence[type],
    *,
    default: int = DEFAULT_PAGE_SIZE,
    maximum: int = MAX_PAGE_SIZE,
) -> tuple[tuple[Any, ...] | None, int]:
    """(sort key to continue after, or None for the first page; limit) of the requested page."""
    limit = page_limit(page_size, default=default, maximum=maximum)
    return (decode_keyset(page_token, kinds) if page_token else None), limit


def keyset_page(rows: Sequence[T], limit: int, key: Callable[[T], Sequence[KeyValue]]) -> tuple[list[T], str]:
    """The page of ``rows`` (fetched with ``limit + 1``) and the token after its last row."""
    page = list(rows[:limit])
    return page, (encode_keyset(key(page[-1])) if len(rows) > limit and page else "")
