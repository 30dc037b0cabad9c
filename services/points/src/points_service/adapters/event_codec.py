"""Domain events and entries of the points service as protobuf messages (events.proto, ledger.proto)."""

from __future__ import annotations

from google.protobuf.message import Message

from partnerprogram.points.v1 import events_pb2, ledger_pb2
from points_service.domain.events import (
    ActiveTotalChanged,
    DailyTotalsCompleted,
    DomainEvent,
    MonitoringCompleted,
    OrderCancelled,
    OrderRecorded,
    PointRequestDecided,
    PointsAccrued,
    PointsReversed,
    ProjectApproved,
    ProjectRejected,
)
from points_service.domain.ledger import LedgerEntry, PointKind, SourceType
from ppcore.timestamps import optional_timestamp

timestamp = optional_timestamp


def kind_pb(kind: PointKind) -> ledger_pb2.PointKind.ValueType:
    return ledger_pb2.PointKind.Value(f"POINT_KIND_{kind.value}")


def source_type_pb(source: SourceType) -> ledger_pb2.SourceType.ValueType:
    return ledger_pb2.SourceType.Value(f"SOURCE_TYPE_{source.value}")


def ledger_entry_pb(entry: LedgerEntry) -> ledger_pb2.LedgerEntry:
    return ledger_pb2.LedgerEntry(
        entry_id=entry.entry_id,
        partner_id=entry.partner_id,
        kind=kind_pb(entry.kind),
        source_type=source_type_pb(entry.source_type),
        source_id=entry.source_id,
        points=str(entry.amount),
        accrued_time=timestamp(entry.accrued_at),
        expire_time=timestamp(entry.expires_at),
        decided_by=entry.decided_by,
        policy_version=entry.policy_version,
        note=entry.note,
        reverses_entry_id=entry.reverses_entry_id or "",
        withheld_points=str(entry.withheld_points),
        withheld_reason=entry.withheld_reason,
    )


def event_pb(event: DomainEvent | LedgerEntry) -> Message:
    """The protobuf payload announcing ``event`` (a ledger entry is announced as accrued or reversed)."""
    match event:
        case LedgerEntry() as entry if entry.is_reversal:
            return events_pb2.PointsReversed(partner_id=entry.partner_id, reversal=ledger_entry_pb(entry))
        case LedgerEntry() as entry:
            return events_pb2.PointsAccrued(partner_id=entry.partner_id, entry=ledger_entry_pb(entry))
        case PointsAccrued() | PointsReversed():
            raise TypeError("ledger events are published from the LedgerEntry itself (it carries the note)")
        case ActiveTotalChanged():
            return events_pb2.ActiveTotalChanged(
                partner_id=event.partner_id,
                business_date=event.business_date.isoformat(),
                total_points=str(event.total),
                previous_total_points=str(event.previous_total),
                computed_time=timestamp(event.computed_at),
                policy_version=event.policy_version,
            )
        case DailyTotalsCompleted():
            return events_pb2.DailyTotalsCompleted(
                business_date=event.business_date.isoformat(),
                changed_partners=event.changed_partners,
                computed_time=timestamp(event.computed_at),
                policy_version=event.policy_version,
            )
        case OrderRecorded():
            return events_pb2.OrderRecorded(
                partner_id=event.partner_id,
                order_id=event.order_id,
                amount_uah=str(event.amount_uah),
                product_codes=list(event.product_codes),
                order_time=timestamp(event.ordered_at),
                points=str(event.points),
                sales_uah=str(event.sales_uah),
            )
        case OrderCancelled():
            return events_pb2.OrderCancelled(
                partner_id=event.partner_id,
                order_id=event.order_id,
                amount_uah=str(event.amount_uah),
                order_time=timestamp(event.ordered_at),
                cancel_time=timestamp(event.cancelled_at),
                reason=event.reason,
                sales_uah=str(event.sales_uah),
            )
        case ProjectApproved():
            return events_pb2.ProjectApproved(
                partner_id=event.partner_id,
                project_id=event.project_id,
                site_key=event.site_key,
                publish_on_site=event.publish_on_site,
                points=str(event.points),
                approve_time=timestamp(event.approved_at),
                decided_by=event.decided_by,
                policy_version=event.policy_version,
                note=event.note,
            )
        case ProjectRejected():
            return events_pb2.ProjectRejected(
                partner_id=event.partner_id,
                project_id=event.project_id,
                site_key=event.site_key,
                moderator_note=event.moderator_note,
                reject_time=timestamp(event.rejected_at),
                decided_by=event.decided_by,
            )
        case MonitoringCompleted():
            return events_pb2.MonitoringCompleted(
                partner_id=event.partner_id,
                submission_id=event.submission_id,
                project_id=event.project_id or "",
                site_key=event.site_key,
                edition_code=event.edition_code,
                points=str(event.points),
                complete_time=timestamp(event.completed_at),
                policy_version=event.policy_version,
            )
        case PointRequestDecided():
            return events_pb2.PointRequestDecided(
                partner_id=event.partner_id,
                point_request_id=event.request_id,
                category=event.category,
                requested_points=str(event.requested_points),
                granted_points=str(event.granted_points),
                accrued_points=str(event.accrued_points),
                reason=event.reason,
                decide_time=timestamp(event.decided_at),
                decided_by=event.decided_by,
            )
    raise TypeError(f"no protobuf for {type(event).__name__}")
