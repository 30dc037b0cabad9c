"""Paging of compliance's List RPCs: the suite's opaque tokens (ppcore.paging), in the
shape the servicer uses (size and offset apart, a page cut from ``size + 1`` rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ppcore.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_token, next_page_token, page_window

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "finish", "offset_of", "page_size"]

T = TypeVar("T")


def page_size(requested: int) -> int:
    return page_window(requested, "")[1]


def offset_of(token: str) -> int:
    return decode_token(token) if token else 0


def finish(items_from_offset: Sequence[T], offset: int, size: int) -> tuple[list[T], str]:
    """One page from the items starting at ``offset`` (give at least ``size + 1`` to detect more),
    and the token of the next page, empty on the last."""
    return list(items_from_offset[:size]), next_page_token(offset, size, len(items_from_offset) > size)
