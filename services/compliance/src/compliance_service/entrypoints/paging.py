"""Page tokens: opaque to clients, an offset inside. Lists here are staff views of modest size."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

from ppcore.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

T = TypeVar("T")


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument.for_field("page_size", "must not be negative", reason="PAGE_SIZE_INVALID")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def offset_of(token: str) -> int:
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("o:"))
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument.for_field(
            "page_token", "not a token this service issued", reason="PAGE_TOKEN_INVALID"
        ) from None
    if offset < 0:
        raise InvalidArgument.for_field("page_token", "not a token this service issued", reason="PAGE_TOKEN_INVALID")
    return offset


def finish(items_from_offset: Sequence[T], offset: int, size: int) -> tuple[list[T], str]:
    """One page from the items starting at ``offset`` (give at least ``size + 1`` to detect more),
    and the token of the next page, empty on the last."""
    page = list(items_from_offset[:size])
    if len(items_from_offset) <= size:
        return page, ""
    return page, base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
