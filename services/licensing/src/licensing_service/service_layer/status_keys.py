"""Following the partner's status (R-NFR-01, R-NFR-03), termination (R-NFR-12) and card (R-NFR-07)."""

from __future__ import annotations

from datetime import date

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.service_layer.context import Toolkit, save_and_publish
from ppcore.logging import get_logger
from ppcore.policy import Tier

log = get_logger("licensing.status_keys")


async def apply_status(
    uow: LicensingUnitOfWork, tools: Toolkit, *, partner_id: str, tier: Tier, effective_on: date, reason: str
) -> None:
    """Issue, renew or revoke status keys so they match ``tier`` for the status year from ``effective_on``."""
    partner = await uow.portfolios.partner(partner_id)
    if partner.terminated:
        log.info("licensing.status.ignored_terminated", partner_id=partner_id, tier=tier.value)
        return
    partner.tier = tier.value
    portfolio = await uow.portfolios.get(partner_id)
    portfolio.apply_status(
        tier=tier,
        effective_on=effective_on,
        now=tools.now(),
        policy=tools.policy,
        new_id=tools.new_id,
        random_bytes=tools.random_bytes,
        reason=reason,
    )
    await save_and_publish(uow, portfolio)


async def terminate(uow: LicensingUnitOfWork, tools: Toolkit, *, partner_id: str, reason: str) -> None:
    """R-NFR-12: every NFR key and the cloud NFR are revoked; later status events change nothing."""
    partner = await uow.portfolios.partner(partner_id)
    partner.terminated = True
    portfolio = await uow.portfolios.get(partner_id)
    portfolio.revoke_on_termination(now=tools.now(), policy=tools.policy, reason=reason)
    await save_and_publish(uow, portfolio)
