"""Additional-point requests (R-PTS-03): only through a request, decided by staff within
the *policy* business days, possibly for fewer points than asked (with a reason)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from points_service.domain.accruals import accrue
from points_service.domain.amounts import ZERO, to_points
from points_service.domain.events import DomainEvent, PointRequestDecided, PointsAccrued
from points_service.domain.ledger import LedgerEntry, SourceType
from points_service.domain.sanctions import RefusePointsSanction
from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy


class PointRequestState(StrEnum):
    PENDING = "PENDING"
    GRANTED = "GRANTED"
    PARTIALLY_GRANTED = "PARTIALLY_GRANTED"
    DENIED = "DENIED"


@dataclass(frozen=True)
class Evidence:
    description: str
    links: tuple[str, ...] = ()


@dataclass
class PointRequest:
    request_id: str
    partner_id: str
    category: str
    requested_points: Decimal
    evidence: Evidence
    submitted_at: datetime
    due_date: date
    state: PointRequestState = PointRequestState.PENDING
    granted_points: Decimal = ZERO
    decision_reason: str = ""
    decided_at: datetime | None = None
    decided_by: str = ""
    ledger_entry_id: str | None = None
    # R-PTS-03: for event points, when the partner gave notice of its intention to take part (None: no notice).
    event_notice_at: datetime | None = None
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def decide(
        self,
        granted_points: Decimal | int,
        *,
        reason: str,
        entry_id: str,
        at: datetime,
        decided_by: str,
        policy: ProgramPolicy,
        sanctions: Iterable[RefusePointsSanction] = (),
    ) -> LedgerEntry | None:
        """R-PTS-03: grant all, part (with a reason) or none (with a reason). Under a refuse-points
        sanction the decision stands but accrues zero, with the reason (R-PTS-07).
        Returns the ledger entry, or None when nothing was granted."""
        if self.state is not PointRequestState.PENDING:
            raise FailedPrecondition(
                reason="POINT_REQUEST_DECIDED",
                message=f"point request {self.request_id} is decided already ({self.state}) (R-PTS-03)",
                rule="R-PTS-03",
            )
        granted = to_points(granted_points)
        if not ZERO <= granted <= self.requested_points:
            raise InvalidArgument.for_field(
                "granted_points",
                f"must be between 0 and the {self.requested_points} requested (R-PTS-03)",
                reason="POINT_REQUEST_GRANT_OUT_OF_RANGE",
                rule="R-PTS-03",
            )
        if granted < self.requested_points and not reason.strip():
            raise InvalidArgument.for_field(
                "reason",
                "granting fewer points than asked needs a reason (R-PTS-03)",
                reason="POINT_REQUEST_REASON_MISSING",
                rule="R-PTS-03",
            )
        entry = None
        if granted > 0:
            notes = [f"additional points, {self.category}" + (f": {reason}" if reason else "")]
            if self.category == policy.points.event_category and self.event_notice_at is None:
                # 7: notice is given "як правило" (as a rule), so staff may grant without it; the entry says so.
                notes.append("granted without a prior notice of intent to take part (R-PTS-03)")
            entry = accrue(
                entry_id=entry_id,
                partner_id=self.partner_id,
                source_type=SourceType.POINT_REQUEST,
                source_id=self.request_id,
                points=granted,
                at=at,
                decided_by=decided_by,
                policy=policy,
                sanctions=sanctions,
                note="; ".join(notes),
            )
            self.ledger_entry_id = entry.entry_id
            self.events.append(PointsAccrued.of(entry))
        if granted == self.requested_points:
            self.state = PointRequestState.GRANTED
        elif granted > 0:
            self.state = PointRequestState.PARTIALLY_GRANTED
        else:
            self.state = PointRequestState.DENIED
        self.granted_points = granted
        self.decision_reason = reason
        self.decided_at = at
        self.decided_by = decided_by
        self.events.append(
            PointRequestDecided(
                partner_id=self.partner_id,
                request_id=self.request_id,
                category=self.category,
                requested_points=self.requested_points,
                granted_points=granted,
                accrued_points=entry.amount if entry else ZERO,
                reason="; ".join(r for r in (reason, entry.withheld_reason if entry else "") if r),
                decided_at=at,
                decided_by=decided_by,
            )
        )
        return entry

    def is_overdue(self, today: date) -> bool:
        """Pending past its decision deadline (R-PTS-03)."""
        return self.state is PointRequestState.PENDING and today > self.due_date


def submit_point_request(
    *,
    request_id: str,
    partner_id: str,
    category: str,
    requested_points: Decimal | int,
    evidence: Evidence,
    policy: ProgramPolicy,
    now: datetime,
    event_notice_at: datetime | None = None,
) -> PointRequest:
    """A pending request for additional points in a *policy* category, with evidence (R-PTS-03).

    A request for event points records whether and when the partner gave notice of its intention to
    take part (section 7: as a rule, before the event); a notice cannot be dated after the request,
    and other categories carry none."""
    if not partner_id.strip():
        raise InvalidArgument.for_field("partner_id", "is required")
    if category not in policy.points.additional_categories:
        raise InvalidArgument.for_field(
            "category",
            f"{category!r} is not an additional-point category; "
            f"one of {', '.join(policy.points.additional_categories)} (R-PTS-03)",
            reason="POINT_REQUEST_UNKNOWN_CATEGORY",
            rule="R-PTS-03",
        )
    requested = to_points(requested_points)
    if requested <= 0:
        raise InvalidArgument.for_field(
            "requested_points",
            "must be more than zero (R-PTS-03)",
            reason="POINT_REQUEST_POINTS_INVALID",
            rule="R-PTS-03",
        )
    if not evidence.description.strip():
        raise InvalidArgument.for_field(
            "evidence.description",
            "a request states what the points are for (R-PTS-03)",
            reason="POINT_REQUEST_EVIDENCE_MISSING",
            rule="R-PTS-03",
        )
    if event_notice_at is not None:
        if category != policy.points.event_category:
            raise InvalidArgument.for_field(
                "event_notice_time",
                f"a notice of intent belongs to {policy.points.event_category} requests only (R-PTS-03)",
                reason="POINT_REQUEST_NOTICE_NOT_EVENT",
                rule="R-PTS-03",
            )
        if event_notice_at > now:
            raise InvalidArgument.for_field(
                "event_notice_time",
                "the notice of intent was given before the request, not after it (R-PTS-03)",
                reason="POINT_REQUEST_NOTICE_IN_FUTURE",
                rule="R-PTS-03",
            )
    calendar = policy.business_calendar()
    return PointRequest(
        request_id=request_id,
        partner_id=partner_id,
        category=category,
        requested_points=requested,
        evidence=evidence,
        submitted_at=now,
        due_date=calendar.add_business_days(kyiv_date(now), policy.deadlines.point_request_review_days),
        event_notice_at=event_notice_at,
    )


def overdue_point_requests(requests: Iterable[PointRequest], today: date) -> list[PointRequest]:
    """Pending requests past their deadline, oldest deadline first (R-PTS-03)."""
    return sorted((r for r in requests if r.is_overdue(today)), key=lambda r: (r.due_date, r.request_id))
