"""Reads: one grant with its history, a partner's keys and cloud NFR, keys expiring soon."""

from __future__ import annotations

from datetime import date, timedelta

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import CloudNfr, NfrGrant, PartnerNfr
from ppcore.errors import InvalidArgument, not_found


async def get_grant(uow: LicensingUnitOfWork, grant_id: str) -> NfrGrant:
    partner_id = await uow.portfolios.partner_of_grant(grant_id)
    if partner_id is None:
        raise not_found("grant", grant_id)
    return (await uow.portfolios.read(partner_id)).grant(grant_id)


async def partner_portfolio(uow: LicensingUnitOfWork, partner_id: str) -> PartnerNfr:
    return await uow.portfolios.read(partner_id)


async def get_cloud_nfr(uow: LicensingUnitOfWork, partner_id: str) -> CloudNfr:
    cloud = (await uow.portfolios.read(partner_id)).cloud
    if cloud is None:
        raise not_found("cloud_nfr", partner_id)
    return cloud


async def expiring_grants(
    uow: LicensingUnitOfWork, *, today: date, within_days: int, after: tuple[date, str] | None, limit: int
) -> list[NfrGrant]:
    """Active keys whose last valid day is within ``within_days`` days of ``today`` (inclusive)."""
    if within_days < 0:
        raise InvalidArgument.for_field("within_days", "must not be negative", reason="WITHIN_DAYS_NEGATIVE")
    return await uow.portfolios.expiring(today, today + timedelta(days=within_days), after, limit)


async def partner_grants(
    uow: LicensingUnitOfWork, partner_id: str, *, active_only: bool, after: tuple[date, str] | None, limit: int
) -> list[NfrGrant]:
    """One page of a partner's NFR grants, oldest issue first."""
    return await uow.portfolios.grants_page(partner_id, active_only=active_only, after=after, limit=limit)
