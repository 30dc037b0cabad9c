"""The edition catalogue, read from the program policy (R-POL-01)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ppcore.errors import InvalidArgument
from ppcore.policy import Edition


class EditionCatalogue:
    """Editions by code, with the price, points value, sites allowed and family of each."""

    def __init__(self, editions: Iterable[Edition]) -> None:
        self._by_code = {edition.code: edition for edition in editions}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def all(self) -> tuple[Edition, ...]:
        return tuple(sorted(self._by_code.values(), key=lambda edition: edition.rank))

    def get(self, code: str, *, field: str = "edition") -> Edition:
        """The edition ``code``; an unknown code is invalid input naming ``field``."""
        edition = self._by_code.get(code)
        if edition is None:
            raise InvalidArgument.for_field(field, f"unknown edition {code!r}", reason="EDITION_UNKNOWN")
        return edition

    def price_uah(self, code: str) -> Decimal:
        return self.get(code).price_uah

    def is_lower(self, candidate: str, than: str) -> bool:
        """True when ``candidate`` is a lower edition of the same product family as ``than``."""
        lower, upper = self.get(candidate), self.get(than)
        return lower.family == upper.family and lower.rank < upper.rank
