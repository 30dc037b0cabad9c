"""The page window every List RPC reads from ``page_size`` and ``page_token``.

Page tokens are opaque to callers: URL-safe base64 of a versioned cursor (the offset of
the next page's first item and a fingerprint of the query it belongs to) sealed with a
checksum. A token that was altered, comes from another List RPC or from the same RPC
with other filters (stale), or points deeper than :data:`MAX_OFFSET`, is
INVALID_ARGUMENT naming ``page_token``; a bad size is INVALID_ARGUMENT naming
``page_size``. Every service answers the same way.

The query fingerprint is set per call by the server interceptor
(:func:`set_list_scope`); outside a call (unit tests) it is empty.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from contextvars import ContextVar

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


def encode_token(offset: int) -> str:
    """The opaque token of the page starting at ``offset`` of the current query."""
    body = f"{_VERSION}.{offset}.{_list_scope.get()}"
    return base64.urlsafe_b64encode(f"{body}.{_seal(body)}".encode()).decode().rstrip("=")


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


def decode_token(token: str) -> int:
    """The offset a token names; INVALID_ARGUMENT when it is not one this query issued."""
    if len(token) > 128:
        raise _bad_token("is not a token from a previous response")
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise _bad_token("is not a token from a previous response") from None
    body, _, seal = text.rpartition(".")
    version, _, rest = body.partition(".")
    offset_text, _, scope = rest.partition(".")
    if version != _VERSION or not hmac.compare_digest(seal, _seal(body)) or not offset_text.isdigit():
        raise _bad_token("is not a token from a previous response")
    if scope != _list_scope.get():
        raise _bad_token("belongs to another query; start again without a token (the filters changed)")
    offset = int(offset_text)
    if offset > MAX_OFFSET:
        raise _bad_token(f"points deeper than {MAX_OFFSET} items; narrow the filters")
    return offset


def page_window(
    page_size: int, page_token: str, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE
) -> tuple[int, int]:
    """(offset, limit) of the requested page."""
    if page_size < 0:
        raise InvalidArgument.for_field("page_size", "must not be negative", reason="PAGE_SIZE_INVALID")
    limit = min(page_size or default, maximum)
    return (decode_token(page_token) if page_token else 0), limit
