"""The append-only points ledger (R-PTS-01, R-PTS-04, R-PTS-06) and what it answers.

An entry is never edited. A correction is a reversal: a new entry with the opposite
amount, accrued when the correction is made and expiring with the original, so an
as-of query for a moment before the correction still shows what was true then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from points_service.domain.amounts import ZERO, to_points
from ppcore.clock import KYIV, add_months, add_years_kyiv, kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument


class PointKind(StrEnum):
    """R-PTS-01: every point is main or additional."""

    MAIN = "MAIN"
    ADDITIONAL = "ADDITIONAL"


class SourceType(StrEnum):
    """What an entry was accrued for (R-PTS-02, R-PTS-03, R-PTS-06).

    There is deliberately no member for certifying specialists: R-PTS-01 says that
    earns no points.
    """

    ORDER = "ORDER"
    PROJECT = "PROJECT"
    QUALITY_MONITORING = "QUALITY_MONITORING"
    MARKETPLACE_MODULE = "MARKETPLACE_MODULE"
    COMPOSITE_SITE = "COMPOSITE_SITE"
    MOBILE_APP = "MOBILE_APP"
    POINT_REQUEST = "POINT_REQUEST"
    CORRECTION = "CORRECTION"

    @property
    def kind(self) -> PointKind:
        """Additional points come only through a request (R-PTS-03); the rest are main (R-PTS-02)."""
        return PointKind.ADDITIONAL if self is SourceType.POINT_REQUEST else PointKind.MAIN


_NOT_A_SOURCE = {"CERTIFICATION", "CERTIFICATE", "CERTIFIED_SPECIALIST"}


def parse_source_type(name: str, *, field_path: str = "source_type") -> SourceType:
    """The source type called ``name``; certification is refused by name (R-PTS-01)."""
    normalised = name.strip().upper()
    if normalised in _NOT_A_SOURCE:
        raise InvalidArgument.for_field(
            field_path,
            "no points are given for certifying specialists (R-PTS-01)",
            reason="POINTS_NOT_FOR_CERTIFICATION",
            rule="R-PTS-01",
        )
    try:
        return SourceType(normalised)
    except ValueError:
        raise InvalidArgument.for_field(
            field_path, f"unknown point source {name!r}", reason="POINTS_UNKNOWN_SOURCE", rule="R-PTS-02"
        ) from None


def expiry_of(accrued_at: datetime, validity_months: int = 12) -> datetime:
    """R-PTS-04: the instant an accrual stops counting, on the Kyiv calendar.

    Whole years go through ``add_years_kyiv`` (same Kyiv wall-clock time, 29 Feb -> 28 Feb),
    so a DST change between accrual and expiry never shifts the expiry by an hour.
    """
    if validity_months % 12 == 0:
        return add_years_kyiv(accrued_at, validity_months // 12)
    local = accrued_at.astimezone(KYIV)
    target = add_months(local.date(), validity_months)
    return datetime.combine(target, local.timetz().replace(tzinfo=None), tzinfo=KYIV).astimezone(UTC)


@dataclass(frozen=True)
class LedgerEntry:
    """One append-only ledger line (R-PTS-06).

    ``amount`` is negative only for reversals; zero when a sanction withheld the points
    (R-PTS-07), in which case ``withheld_reason`` says why and ``withheld_points`` how
    many would have been accrued.
    """

    entry_id: str
    partner_id: str
    kind: PointKind
    source_type: SourceType
    source_id: str
    amount: Decimal
    accrued_at: datetime
    expires_at: datetime
    decided_by: str
    policy_version: str
    note: str = ""
    reverses_entry_id: str | None = None
    withheld_points: Decimal = ZERO
    withheld_reason: str = ""

    def __post_init__(self) -> None:
        if self.accrued_at.tzinfo is None or self.expires_at.tzinfo is None:
            raise ValueError("ledger instants must be timezone-aware")
        if self.expires_at <= self.accrued_at and self.reverses_entry_id is None:
            raise ValueError("an accrual must expire after it is accrued")
        if not self.decided_by:
            raise InvalidArgument.for_field(
                "decided_by",
                "every entry names who decided it (R-PTS-06)",
                reason="POINTS_DECIDER_MISSING",
                rule="R-PTS-06",
            )

    @property
    def is_reversal(self) -> bool:
        return self.reverses_entry_id is not None

    def is_active_at(self, instant: datetime) -> bool:
        """R-PTS-04: counts from its accrual instant up to, not including, its expiry."""
        return self.accrued_at <= instant < self.expires_at


def new_accrual(
    *,
    entry_id: str,
    partner_id: str,
    source_type: SourceType,
    source_id: str,
    amount: Decimal,
    accrued_at: datetime,
    decided_by: str,
    policy_version: str,
    validity_months: int = 12,
    note: str = "",
    withheld_points: Decimal = ZERO,
    withheld_reason: str = "",
) -> LedgerEntry:
    """A fresh accrual expiring one year after ``accrued_at`` (R-PTS-04)."""
    if amount < 0:
        raise InvalidArgument.for_field(
            "amount", "an accrual cannot be negative; corrections are reversals (R-PTS-06)", rule="R-PTS-06"
        )
    return LedgerEntry(
        entry_id=entry_id,
        partner_id=partner_id,
        kind=source_type.kind,
        source_type=source_type,
        source_id=source_id,
        amount=to_points(amount),
        accrued_at=accrued_at,
        expires_at=expiry_of(accrued_at, validity_months),
        decided_by=decided_by,
        policy_version=policy_version,
        note=note,
        withheld_points=to_points(withheld_points),
        withheld_reason=withheld_reason,
    )


def reverse(
    original: LedgerEntry,
    *,
    entry_id: str,
    at: datetime,
    decided_by: str,
    reason: str,
    policy_version: str,
    already_reversed: bool = False,
    fraction: Decimal = Decimal(1),
) -> LedgerEntry:
    """A reversal of ``original`` (R-PTS-06): the opposite amount from ``at`` until the original expires.

    ``fraction`` reverses part of it (a joint-project correction, R-PRJ-08). Reversing a
    reversal, or an entry reversed already, is refused.
    """
    if original.is_reversal:
        raise FailedPrecondition(
            reason="POINTS_REVERSAL_OF_REVERSAL",
            message=f"entry {original.entry_id} is itself a reversal (R-PTS-06)",
            rule="R-PTS-06",
        )
    if already_reversed:
        raise FailedPrecondition(
            reason="POINTS_ALREADY_REVERSED",
            message=f"entry {original.entry_id} is reversed already (R-PTS-06)",
            rule="R-PTS-06",
        )
    if not reason.strip():
        raise InvalidArgument.for_field(
            "reason", "a reversal states why (R-PTS-06)", reason="POINTS_REVERSAL_REASON_MISSING", rule="R-PTS-06"
        )
    if not Decimal(0) < fraction <= Decimal(1):
        raise ValueError("fraction must be in (0, 1]")
    return LedgerEntry(
        entry_id=entry_id,
        partner_id=original.partner_id,
        kind=original.kind,
        source_type=original.source_type,
        source_id=original.source_id,
        amount=-to_points(original.amount * fraction),
        # Counted from the correction on, so history before it stays as it was; an entry
        # that expired already is unaffected because this window is then empty.
        accrued_at=at,
        expires_at=original.expires_at,
        decided_by=decided_by,
        policy_version=policy_version,
        note=reason,
        reverses_entry_id=original.entry_id,
    )


def active_total(entries: Iterable[LedgerEntry], at: datetime) -> Decimal:
    """R-PTS-05: the sum of the entries active at ``at`` (accrued_at <= at < expires_at)."""
    return to_points(sum((e.amount for e in entries if e.is_active_at(at)), ZERO))


def lifetime_earned(entries: Iterable[LedgerEntry]) -> Decimal:
    """Every point ever accrued, net of reversals, whether still active or not."""
    return to_points(sum((e.amount for e in entries), ZERO))


@dataclass(frozen=True)
class ExpiringPoints:
    """Active points that stop counting within a window, per Kyiv expiry date."""

    total: Decimal
    by_date: tuple[tuple[date, Decimal], ...]


def expiring_within(entries: Iterable[LedgerEntry], now: datetime, days: int) -> ExpiringPoints:
    """Points active now whose expiry falls within the next ``days`` Kyiv calendar days (R-PTS-04)."""
    if days < 0:
        raise InvalidArgument.for_field("within_days", "must be zero or more")
    local_now = now.astimezone(KYIV)
    horizon = (local_now.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=KYIV)
    per_date: dict[date, Decimal] = {}
    for entry in entries:
        if entry.is_active_at(now) and entry.expires_at <= horizon:
            day = kyiv_date(entry.expires_at)
            per_date[day] = per_date.get(day, ZERO) + entry.amount
    by_date = tuple((d, to_points(v)) for d, v in sorted(per_date.items()) if v != 0)
    return ExpiringPoints(total=to_points(sum((v for _, v in by_date), ZERO)), by_date=by_date)
