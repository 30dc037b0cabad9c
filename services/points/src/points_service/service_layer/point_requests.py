"""Additional-point requests (R-PTS-03)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.ledger import LedgerEntry
from points_service.domain.requests import Evidence, PointRequest, PointRequestState, submit_point_request
from points_service.service_layer.common import new_id, paged, require_active_partner
from ppcore.clock import kyiv_date
from ppcore.errors import not_found
from ppcore.policy import ProgramPolicy


async def submit(
    uow: PointsUnitOfWork,
    *,
    partner_id: str,
    category: str,
    requested_points: Decimal,
    evidence: Evidence,
    now: datetime,
    policy: ProgramPolicy,
    event_notice_at: datetime | None = None,
) -> PointRequest:
    """R-PTS-03: a pending request; event points record the partner's notice of intent, if any."""
    await require_active_partner(uow, partner_id, now)
    request = submit_point_request(
        request_id=new_id(),
        partner_id=partner_id,
        category=category,
        requested_points=requested_points,
        evidence=evidence,
        policy=policy,
        now=now,
        event_notice_at=event_notice_at,
    )
    await uow.point_requests.add(request)
    return request


async def decide(
    uow: PointsUnitOfWork,
    point_request_id: str,
    *,
    granted_points: Decimal,
    reason: str,
    decided_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[PointRequest, LedgerEntry | None]:
    """Grant all, part (with a reason) or none; zero accrued under a refuse-points sanction (R-PTS-03, R-PTS-07)."""
    request = await get(uow, point_request_id)
    entry = request.decide(
        granted_points,
        reason=reason,
        entry_id=new_id(),
        at=now,
        decided_by=decided_by,
        policy=policy,
        sanctions=await uow.sanctions.for_partner(request.partner_id),
    )
    if entry is not None:
        uow.record_entry(entry)
    await uow.point_requests.save(request)
    uow.emit(request.events)
    return request, entry


async def get(uow: PointsUnitOfWork, point_request_id: str) -> PointRequest:
    request = await uow.point_requests.get(point_request_id)
    if request is None:
        raise not_found("point request", point_request_id)
    return request


async def list_requests(
    uow: PointsUnitOfWork, *, partner_id: str | None, state: PointRequestState | None, page_size: int, page_token: str
) -> tuple[list[PointRequest], str]:
    return await paged(
        lambda offset, limit: uow.point_requests.page(partner_id=partner_id, state=state, offset=offset, limit=limit),
        page_size,
        page_token,
    )


async def overdue(
    uow: PointsUnitOfWork, *, now: datetime, page_size: int, page_token: str
) -> tuple[list[PointRequest], str]:
    today = kyiv_date(now)
    return await paged(
        lambda offset, limit: uow.point_requests.overdue(today, offset=offset, limit=limit), page_size, page_token
    )


async def accrued_points(uow: PointsUnitOfWork, request: PointRequest) -> Decimal:
    if request.ledger_entry_id is None:
        return Decimal("0.00")
    entry = await uow.ledger.get(request.ledger_entry_id)
    return entry.amount if entry is not None else Decimal("0.00")
