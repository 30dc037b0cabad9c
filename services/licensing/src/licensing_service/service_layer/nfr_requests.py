"""What a partner asks for: the on-request key (R-NFR-04/05), edition changes (R-NFR-02), the cloud NFR (R-NFR-07)."""

from __future__ import annotations

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import (
    CloudNfr,
    EditionChangeRequest,
    KeyRequestState,
    NfrGrant,
    OnRequestFacts,
    OnRequestKeyRequest,
    PartnerNfr,
    SiteChecklist,
    SiteTopic,
)
from licensing_service.service_layer.context import Toolkit, save_and_publish
from licensing_service.service_layer.ports import PartnerFacts, PartnerFactsPort
from ppcore.errors import FailedPrecondition, not_found


async def _require_active_partner(uow: LicensingUnitOfWork, partner_id: str) -> None:
    if (await uow.portfolios.partner(partner_id)).terminated:
        raise FailedPrecondition(
            reason="PARTNER_TERMINATED",
            message=f"partner_id: partner {partner_id} is terminated; it holds no NFR licences (R-NFR-12)",
            rule="R-NFR-12",
        )


async def request_on_request_key(
    uow: LicensingUnitOfWork,
    tools: Toolkit,
    status: PartnerFactsPort,
    *,
    partner_id: str,
    site_url: str,
    edition: str,
    site_on_product: bool,
    checklist: SiteChecklist,
    original_design: bool,
    site_topic: SiteTopic,
) -> OnRequestKeyRequest:
    """R-NFR-04: once per partner; contract and certified employees are asked of the status service.

    The request waits for staff to verify the site (R-NFR-05); no key is issued yet.
    """
    await _require_active_partner(uow, partner_id)
    portfolio = await uow.portfolios.get(partner_id)
    facts = await _current_facts(status, tools, partner_id)
    request = portfolio.request_on_request_key(
        key_request_id=tools.new_id(),
        facts=OnRequestFacts(
            contract_accepted=facts.contract_accepted,
            certified_employees=facts.certified_employees,
            site_on_product=site_on_product,
            checklist=checklist,
            original_design=original_design,
            site_topic=site_topic,
        ),
        site_url=site_url,
        edition=edition or None,
        now=tools.now(),
        policy=tools.policy,
    )
    await save_and_publish(uow, portfolio)
    return request


async def _current_facts(status: PartnerFactsPort, tools: Toolkit, partner_id: str) -> PartnerFacts:
    facts = await status.partner_facts(partner_id, tools.policy.nfr.on_request.required_courses)
    if not facts.exists:
        raise not_found("partner", partner_id)
    if facts.terminated:
        raise FailedPrecondition(
            reason="PARTNER_TERMINATED", message=f"partner_id: partner {partner_id} is terminated", rule="R-NFR-12"
        )
    return facts


async def _portfolio_of_key_request(uow: LicensingUnitOfWork, key_request_id: str) -> PartnerNfr:
    partner_id = await uow.portfolios.partner_of_key_request(key_request_id)
    if partner_id is None:
        raise not_found("key_request", key_request_id)
    await _require_active_partner(uow, partner_id)
    return await uow.portfolios.get(partner_id)


async def approve_on_request_key(
    uow: LicensingUnitOfWork, tools: Toolkit, status: PartnerFactsPort, *, key_request_id: str, staff: str, note: str
) -> tuple[OnRequestKeyRequest, NfrGrant]:
    """Staff verified the site (R-NFR-05): the key is issued, the partner's conditions asked again (R-NFR-04)."""
    portfolio = await _portfolio_of_key_request(uow, key_request_id)
    facts = await _current_facts(status, tools, portfolio.partner_id)
    request, grant = portfolio.approve_on_request_key(
        key_request_id=key_request_id,
        grant_id=tools.new_id(),
        contract_accepted=facts.contract_accepted,
        certified_employees=facts.certified_employees,
        decided_by=staff,
        note=note,
        now=tools.now(),
        policy=tools.policy,
        random_bytes=tools.random_bytes,
    )
    await save_and_publish(uow, portfolio)
    return request, grant


async def reject_on_request_key(
    uow: LicensingUnitOfWork, tools: Toolkit, *, key_request_id: str, staff: str, reason: str
) -> OnRequestKeyRequest:
    """Staff found the site short of the requirements (R-NFR-05); the partner may ask again."""
    portfolio = await _portfolio_of_key_request(uow, key_request_id)
    request = portfolio.reject_on_request_key(
        key_request_id=key_request_id, decided_by=staff, reason=reason, now=tools.now()
    )
    await save_and_publish(uow, portfolio)
    return request


async def record_site_check(
    uow: LicensingUnitOfWork, tools: Toolkit, *, grant_id: str, holds: bool, staff: str, note: str
) -> NfrGrant:
    """Staff re-check the on-request key's site requirements; the renewal relies on it (R-NFR-05/06)."""
    partner_id = await uow.portfolios.partner_of_grant(grant_id)
    if partner_id is None:
        raise not_found("grant", grant_id)
    portfolio = await uow.portfolios.get(partner_id)
    grant = portfolio.record_site_check(
        grant_id=grant_id, holds=holds, checked_by=staff, note=note, now=tools.now(), policy=tools.policy
    )
    await save_and_publish(uow, portfolio)
    return grant


async def list_key_requests(
    uow: LicensingUnitOfWork, state: KeyRequestState | None, offset: int, limit: int
) -> list[OnRequestKeyRequest]:
    return await uow.portfolios.key_requests(state, offset, limit)


async def request_edition_change(
    uow: LicensingUnitOfWork, tools: Toolkit, *, partner_id: str, grant_id: str, to_edition: str
) -> EditionChangeRequest:
    """R-NFR-02: one status key to a lower edition, pending staff approval."""
    await _require_active_partner(uow, partner_id)
    portfolio = await uow.portfolios.get(partner_id)
    request = portfolio.request_edition_change(
        change_request_id=tools.new_id(), grant_id=grant_id, to_edition=to_edition, now=tools.now(), policy=tools.policy
    )
    await save_and_publish(uow, portfolio)
    return request


async def _portfolio_of_request(uow: LicensingUnitOfWork, change_request_id: str) -> PartnerNfr:
    partner_id = await uow.portfolios.partner_of_change_request(change_request_id)
    if partner_id is None:
        raise not_found("edition_change_request", change_request_id)
    return await uow.portfolios.get(partner_id)


async def approve_edition_change(
    uow: LicensingUnitOfWork, tools: Toolkit, *, change_request_id: str, note: str
) -> tuple[EditionChangeRequest, NfrGrant]:
    portfolio = await _portfolio_of_request(uow, change_request_id)
    grant = portfolio.approve_edition_change(
        change_request_id=change_request_id, now=tools.now(), policy=tools.policy, note=note
    )
    await save_and_publish(uow, portfolio)
    return portfolio.change_request(change_request_id), grant


async def reject_edition_change(
    uow: LicensingUnitOfWork, tools: Toolkit, *, change_request_id: str, note: str
) -> EditionChangeRequest:
    portfolio = await _portfolio_of_request(uow, change_request_id)
    request = portfolio.reject_edition_change(change_request_id=change_request_id, now=tools.now(), note=note)
    await save_and_publish(uow, portfolio)
    return request


async def issue_cloud_nfr(uow: LicensingUnitOfWork, tools: Toolkit, *, partner_id: str, portal_domain: str) -> CloudNfr:
    """R-NFR-07: Company-plan limits for the portal domain in the partner card."""
    await _require_active_partner(uow, partner_id)
    portfolio = await uow.portfolios.get(partner_id)
    cloud = portfolio.issue_cloud_nfr(
        cloud_nfr_id=tools.new_id(), portal_domain=portal_domain, now=tools.now(), policy=tools.policy
    )
    await save_and_publish(uow, portfolio)
    return cloud
