"""Revocations by staff and sanctions (R-NFR-11), and undoing them with the same grant."""

from __future__ import annotations

from datetime import date

from licensing_service.adapters.orm import NfrSanctionRow
from licensing_service.adapters.sanctions import SanctionState
from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import (
    CloudNfr,
    CloudNfrState,
    GrantKind,
    GrantState,
    NfrGrant,
    PartnerNfr,
    RevocationCause,
    status_entitlements,
)
from licensing_service.service_layer.context import Toolkit, save_and_publish
from ppcore.errors import FailedPrecondition, not_found
from ppcore.logging import get_logger
from ppcore.policy import Tier

log = get_logger("licensing.revocation")


async def _portfolio_of_grant(uow: LicensingUnitOfWork, grant_id: str) -> PartnerNfr:
    partner_id = await uow.portfolios.partner_of_grant(grant_id)
    if partner_id is None:
        raise not_found("grant", grant_id)
    return await uow.portfolios.get(partner_id)


async def revoke_key(uow: LicensingUnitOfWork, tools: Toolkit, *, grant_id: str, reason: str) -> NfrGrant:
    portfolio = await _portfolio_of_grant(uow, grant_id)
    grant = portfolio.revoke_grant(grant_id=grant_id, now=tools.now(), policy=tools.policy, reason=reason)
    await save_and_publish(uow, portfolio)
    return grant


async def restore_grant(uow: LicensingUnitOfWork, tools: Toolkit, *, grant_id: str, reason: str) -> NfrGrant:
    """The same grant comes back with a fresh key; the old key stays revoked."""
    portfolio = await _portfolio_of_grant(uow, grant_id)
    grant = portfolio.restore_grant(
        grant_id=grant_id, now=tools.now(), policy=tools.policy, reason=reason, random_bytes=tools.random_bytes
    )
    await save_and_publish(uow, portfolio)
    return grant


async def restore_cloud_nfr(uow: LicensingUnitOfWork, tools: Toolkit, *, partner_id: str, reason: str) -> CloudNfr:
    portfolio = await uow.portfolios.get(partner_id)
    cloud = portfolio.restore_cloud_nfr(now=tools.now(), policy=tools.policy, reason=reason)
    await save_and_publish(uow, portfolio)
    return cloud


# --- sanctions (R-NFR-11, R-SAN-08) ---------------------------------------------------


async def sanction_applied(
    uow: LicensingUnitOfWork,
    tools: Toolkit,
    *,
    partner_id: str,
    sanction_id: str,
    targets: tuple[str, ...],
    start_date: date,
) -> None:
    """Record the sanction; it revokes the named keys (all, when none named) from its start date."""
    if await uow.sanctions.get(sanction_id) is not None:
        return
    row = NfrSanctionRow(
        sanction_id=sanction_id,
        partner_id=partner_id,
        targets=list(targets),
        start_date=start_date,
        state=SanctionState.PENDING.value,
        revoked=[],
    )
    uow.sanctions.add(row)
    if start_date <= tools.today():
        await _enforce(uow, tools, row)


async def apply_due_sanctions(uow: LicensingUnitOfWork, tools: Toolkit, on: date) -> int:
    """Sanctions whose start date has come (the daily job); returns how many took effect."""
    due = await uow.sanctions.pending_due(on)
    for row in due:
        await _enforce(uow, tools, row)
    return len(due)


async def _enforce(uow: LicensingUnitOfWork, tools: Toolkit, row: NfrSanctionRow) -> None:
    portfolio = await uow.portfolios.get(row.partner_id)
    targets = list(row.targets) or _everything_active(portfolio)
    before = _active_ids(portfolio)
    unmatched = portfolio.revoke_for_sanction(
        targets=targets, sanction_id=row.sanction_id, now=tools.now(), policy=tools.policy, reason="NFR withdrawal"
    )
    if unmatched:
        log.warning("licensing.sanction.unmatched_targets", sanction_id=row.sanction_id, targets=list(unmatched))
    row.revoked = sorted(before - _active_ids(portfolio))
    row.state = SanctionState.APPLIED.value
    await save_and_publish(uow, portfolio)


async def sanction_lifted(uow: LicensingUnitOfWork, tools: Toolkit, *, sanction_id: str, reason: str) -> None:
    """Give back what the sanction took, unless the partner no longer qualifies for it."""
    row = await uow.sanctions.get(sanction_id)
    if row is None or row.state == SanctionState.LIFTED.value:
        return
    was_applied = row.state == SanctionState.APPLIED.value
    row.state = SanctionState.LIFTED.value
    if not was_applied:
        return
    partner = await uow.portfolios.partner(row.partner_id)
    if partner.terminated:
        return
    portfolio = await uow.portfolios.get(row.partner_id)
    held = status_entitlements(Tier(partner.tier), tools.policy) if partner.tier else ()
    note = f"sanction {sanction_id} lifted: {reason}"
    for subject_id in row.revoked:
        cloud = portfolio.cloud
        if cloud is not None and cloud.cloud_nfr_id == subject_id:
            if cloud.state is CloudNfrState.REVOKED and cloud.revocation_cause is RevocationCause.SANCTION:
                portfolio.restore_cloud_nfr(now=tools.now(), policy=tools.policy, reason=note)
            continue
        grant = portfolio.grant(subject_id)
        if grant.state is not GrantState.REVOKED or grant.revocation_cause is not RevocationCause.SANCTION:
            continue
        if grant.kind is GrantKind.STATUS and grant.entitlement not in held:
            continue  # the status that gave the key was lost meanwhile (R-NFR-03)
        try:
            portfolio.restore_grant(
                grant_id=subject_id, now=tools.now(), policy=tools.policy, reason=note, random_bytes=tools.random_bytes
            )
        except FailedPrecondition as refusal:
            log.info("licensing.sanction.restore_skipped", grant_id=subject_id, reason=refusal.reason)
    await save_and_publish(uow, portfolio)


def _active_ids(portfolio: PartnerNfr) -> set[str]:
    ids = {grant.grant_id for grant in portfolio.active_grants()}
    if portfolio.cloud is not None and portfolio.cloud.is_active:
        ids.add(portfolio.cloud.cloud_nfr_id)
    return ids


def _everything_active(portfolio: PartnerNfr) -> list[str]:
    return sorted(_active_ids(portfolio))
