"""The page window every List RPC reads from ``page_size`` and ``page_token``.

Tokens are the offset of the next page's first item; a bad size or token is
INVALID_ARGUMENT naming the field, so every service answers the same way.
"""

from __future__ import annotations

from ppcore.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_window(
    page_size: int, page_token: str, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE
) -> tuple[int, int]:
    """(offset, limit) of the requested page."""
    if page_size < 0:
        raise InvalidArgument.for_field("page_size", "must not be negative")
    limit = min(page_size or default, maximum)
    if not page_token:
        return 0, limit
    if not page_token.isdigit():
        raise InvalidArgument.for_field("page_token", "is not a token from a previous response")
    return int(page_token), limit
