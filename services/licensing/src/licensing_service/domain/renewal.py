"""Yearly sales thresholds for keeping NFR licences (R-NFR-06, R-NFR-08)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ppcore.clock import add_months


def on_request_renewal_threshold(edition_price_uah: Decimal, editions_multiplier: int) -> Decimal:
    """R-NFR-06: sales worth the price of ``editions_multiplier`` editions of the key's edition."""
    return edition_price_uah * editions_multiplier


def meets_threshold(sales_uah: Decimal, threshold_uah: Decimal) -> bool:
    """Reaching the threshold exactly is enough ("at least")."""
    return sales_uah >= threshold_uah


def period_end(anchor: date, period_months: int, periods: int) -> date:
    """The last valid day of validity period ``periods`` counted from ``anchor`` (the issue date).

    Counted from the anchor, not from the previous end, so a key issued on 29 February is
    valid to 28 February in common years and to 29 February again in leap years.
    """
    return add_months(anchor, period_months * periods)


class RenewalSubject(StrEnum):
    ON_REQUEST_KEY = "ON_REQUEST_KEY"
    CLOUD_NFR = "CLOUD_NFR"
    STATUS_KEY = "STATUS_KEY"


@dataclass(frozen=True)
class RenewalDue:
    """One licence whose year ends on or before the run date.

    The service sums the partner's sales on Kyiv dates ``sales_from <= d < sales_until``
    and passes the total back; status keys need no sales (they follow the status).
    """

    subject: RenewalSubject
    subject_id: str
    partner_id: str
    sales_from: date
    sales_until: date
