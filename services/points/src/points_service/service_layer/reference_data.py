"""What points keeps from other services' events: partners (status), refuse-points sanctions
(compliance, R-PTS-07) and erasure of a client's personal data (R-PD-03)."""

from __future__ import annotations

from datetime import date, datetime

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.sanctions import RefusePointsSanction
from ppcore.clock import kyiv_datetime


async def partner_approved(uow: PointsUnitOfWork, partner_id: str, company_name: str) -> None:
    await uow.partners.approved(partner_id, company_name)


async def partner_terminated(uow: PointsUnitOfWork, partner_id: str, effective: date) -> None:
    await uow.partners.terminated(partner_id, effective)


def refuse_points_sanction(
    *, sanction_id: str, partner_id: str, start_date: date, end_date: date | None, reason: str
) -> RefusePointsSanction:
    """Compliance's Kyiv dates as instants: in force from the start date's midnight to the end date's (exclusive)."""
    return RefusePointsSanction(
        sanction_id=sanction_id,
        partner_id=partner_id,
        starts_at=kyiv_datetime(start_date),
        ends_at=kyiv_datetime(end_date) if end_date is not None else None,
        reason=reason,
    )


async def sanction_applied(uow: PointsUnitOfWork, sanction: RefusePointsSanction) -> None:
    """R-PTS-07: from now on decisions for the partner accrue zero while it is in force."""
    await uow.sanctions.applied(sanction)


async def sanction_lifted(uow: PointsUnitOfWork, sanction: RefusePointsSanction, at: datetime) -> None:
    await uow.sanctions.lifted(sanction, at)


async def erase_person(uow: PointsUnitOfWork, *, email: str, phone: str) -> int:
    """R-PD-03: the client contacts of monitoring submissions are the personal data points holds;
    they are anonymised, the submissions and scores stay."""
    return await uow.monitoring.erase_client(email=email.strip(), phone=phone.strip())
