"""Point amounts: exact decimals, because joint projects split and purchases accrue shares."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")


def to_points(value: Decimal | int | str) -> Decimal:
    """A point amount rounded half-up to hundredths, the precision the ledger keeps."""
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def share_of(points: Decimal | int, percent: int | Decimal) -> Decimal:
    """``percent`` per cent of ``points``, at ledger precision."""
    return to_points(Decimal(points) * Decimal(percent) / Decimal(100))
