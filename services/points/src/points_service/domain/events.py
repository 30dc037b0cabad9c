"""Events the points service publishes, as plain data (mirrors partnerprogram.points.v1 events.proto).

Each carries the partner id and what a consumer needs to act without calling back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from points_service.domain.ledger import LedgerEntry, PointKind, SourceType


@dataclass(frozen=True)
class PointsAccrued:
    partner_id: str
    entry_id: str
    kind: PointKind
    source_type: SourceType
    source_id: str
    points: Decimal
    accrued_at: datetime
    expires_at: datetime
    decided_by: str
    policy_version: str
    withheld_points: Decimal
    withheld_reason: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> PointsAccrued:
        return cls(
            partner_id=entry.partner_id,
            entry_id=entry.entry_id,
            kind=entry.kind,
            source_type=entry.source_type,
            source_id=entry.source_id,
            points=entry.amount,
            accrued_at=entry.accrued_at,
            expires_at=entry.expires_at,
            decided_by=entry.decided_by,
            policy_version=entry.policy_version,
            withheld_points=entry.withheld_points,
            withheld_reason=entry.withheld_reason,
        )


@dataclass(frozen=True)
class PointsReversed:
    partner_id: str
    entry_id: str
    reversed_entry_id: str
    source_type: SourceType
    source_id: str
    points: Decimal
    """Negative: the points taken back."""
    reversed_at: datetime
    reason: str
    decided_by: str
    policy_version: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> PointsReversed:
        if entry.reverses_entry_id is None:
            raise ValueError("not a reversal")
        return cls(
            partner_id=entry.partner_id,
            entry_id=entry.entry_id,
            reversed_entry_id=entry.reverses_entry_id,
            source_type=entry.source_type,
            source_id=entry.source_id,
            points=entry.amount,
            reversed_at=entry.accrued_at,
            reason=entry.note,
            decided_by=entry.decided_by,
            policy_version=entry.policy_version,
        )


def ledger_event(entry: LedgerEntry) -> PointsAccrued | PointsReversed:
    """The event announcing a new ledger entry."""
    return PointsReversed.of(entry) if entry.is_reversal else PointsAccrued.of(entry)


@dataclass(frozen=True)
class ActiveTotalChanged:
    """R-PTS-05: a partner's daily active total differs from its previous one."""

    partner_id: str
    business_date: date
    total: Decimal
    previous_total: Decimal
    computed_at: datetime
    policy_version: str


@dataclass(frozen=True)
class DailyTotalsCompleted:
    """R-PTS-05: a date's totals are taken; announced after that date's ``ActiveTotalChanged``."""

    business_date: date
    changed_partners: int
    computed_at: datetime
    policy_version: str
    partner_id: str = ""  # about no partner: every event names one, this one the empty one


@dataclass(frozen=True)
class OrderRecorded:
    partner_id: str
    order_id: str
    amount_uah: Decimal
    product_codes: tuple[str, ...]
    ordered_at: datetime
    points: Decimal
    # R-NFR-06/08: the sales at the policy's price basis, what licensing counts.
    sales_uah: Decimal = Decimal("0")


@dataclass(frozen=True)
class OrderCancelled:
    partner_id: str
    order_id: str
    amount_uah: Decimal
    ordered_at: datetime
    cancelled_at: datetime
    reason: str
    sales_uah: Decimal = Decimal("0")


@dataclass(frozen=True)
class ProjectApproved:
    partner_id: str
    project_id: str
    site_key: str
    publish_on_site: bool
    points: Decimal
    approved_at: datetime
    decided_by: str
    policy_version: str
    note: str


@dataclass(frozen=True)
class ProjectRejected:
    partner_id: str
    project_id: str
    site_key: str
    moderator_note: str
    rejected_at: datetime
    decided_by: str


@dataclass(frozen=True)
class MonitoringCompleted:
    """R-QM-04/05: both monitoring stages done; status uses it for Gold (R-STS-03) and the badge."""

    partner_id: str
    submission_id: str
    project_id: str | None
    site_key: str
    edition_code: str
    points: Decimal
    completed_at: datetime
    policy_version: str


@dataclass(frozen=True)
class PointRequestDecided:
    partner_id: str
    request_id: str
    category: str
    requested_points: Decimal
    granted_points: Decimal
    accrued_points: Decimal
    reason: str
    decided_at: datetime
    decided_by: str


DomainEvent = (
    PointsAccrued
    | PointsReversed
    | ActiveTotalChanged
    | DailyTotalsCompleted
    | OrderRecorded
    | OrderCancelled
    | ProjectApproved
    | ProjectRejected
    | MonitoringCompleted
    | PointRequestDecided
)
