"""The one parser of decimal strings (money ``*_uah``, point figures) every service uses.

Accepted: an optional ``-``, at most :data:`MAX_INTEGER_DIGITS` integer digits, an
optional ``.`` and at most :data:`MAX_FRACTION_DIGITS` fraction digits. Refused with
INVALID_ARGUMENT naming the field: exponents (``1e309``), ``NaN``/``Infinity``, ``-0``,
blanks inside, and figures longer than the columns that keep them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ppcore.errors import InvalidArgument

MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 4
_SHAPE = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_QUOTE = 24


def decimal_problem(text: str) -> str | None:
    """Why ``text`` is not an accepted decimal figure, or None when it is."""
    if not _SHAPE.fullmatch(text):
        return "expected a decimal number such as 1250.50 (digits, optional '-' and '.')"
    whole, _, fraction = text.lstrip("-").partition(".")
    if len(whole) > MAX_INTEGER_DIGITS:
        return f"at most {MAX_INTEGER_DIGITS} digits before the decimal point"
    if len(fraction) > MAX_FRACTION_DIGITS:
        return f"at most {MAX_FRACTION_DIGITS} digits after the decimal point"
    if text.startswith("-") and Decimal(text) == 0:
        return "negative zero is not a number"
    return None


def parse_decimal(
    field_path: str, text: str, *, reason: str = "AMOUNT_INVALID", allow_negative: bool = True
) -> Decimal:
    """``text`` as a Decimal, or INVALID_ARGUMENT naming ``field_path`` (quoting a short prefix)."""
    stripped = text.strip()
    problem = decimal_problem(stripped)
    if problem is None and not allow_negative and stripped.startswith("-"):
        problem = "must not be negative"
    if problem is not None:
        raise InvalidArgument.for_field(field_path, f"{quote(text)}: {problem}", reason=reason)
    return Decimal(stripped)


def quote(text: str, limit: int = _QUOTE) -> str:
    """A short, printable prefix of a refused value for error messages (never the whole value)."""
    shown = text[:limit].encode("unicode_escape").decode("ascii")
    return repr(shown) + ("..." if len(text) > limit else "")
