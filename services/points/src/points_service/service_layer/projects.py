"""Project use cases (R-PRJ-01..08): submission checked against the key registry, moderation, joint splits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.joint import rebalance_counterpart
from points_service.domain.keys import KeyFacts
from points_service.domain.ledger import LedgerEntry
from points_service.domain.projects import (
    Project,
    ProjectDraft,
    ProjectState,
    find_counterpart,
    submit_project,
)
from points_service.domain.sites import SiteAliases, site_keys
from points_service.service_layer.common import (
    new_id,
    paged,
    require_active_partner,
    require_known_co_developer,
)
from points_service.service_layer.ports import KeyRegistry
from ppcore.clock import kyiv_date
from ppcore.errors import not_found
from ppcore.policy import ProgramPolicy

# Staff-kept mirrors and aliases are not stored yet; declared mirrors are (see the report).
NO_KNOWN_ALIASES = SiteAliases()


async def _key_facts(keys: KeyRegistry, license_key: str) -> KeyFacts | None:
    """None for a missing key: the domain refuses it without asking the registry (R-PRJ-04)."""
    return await keys.facts(license_key.strip()) if license_key.strip() else None


async def submit(
    uow: PointsUnitOfWork,
    draft: ProjectDraft,
    *,
    keys: KeyRegistry,
    now: datetime,
    policy: ProgramPolicy,
) -> Project:
    """A project under review, or INVALID_ARGUMENT naming the rule (R-PRJ-04/05/06/08)."""
    await require_active_partner(uow, draft.partner_id, now)
    await require_known_co_developer(uow, draft.joint_partner_id, "project.joint_partner_id")
    occupied = site_keys(draft.site_url, draft.mirror_urls, NO_KNOWN_ALIASES)
    project = submit_project(
        draft,
        project_id=new_id(),
        key_facts=await _key_facts(keys, draft.license_key),
        existing=await uow.projects.colliding(occupied, draft.license_key),
        aliases=NO_KNOWN_ALIASES,
        policy=policy,
        now=now,
    )
    await uow.projects.add(project)
    return project


async def resubmit(
    uow: PointsUnitOfWork,
    project_id: str,
    draft: ProjectDraft,
    *,
    keys: KeyRegistry,
    now: datetime,
    policy: ProgramPolicy,
) -> Project:
    """A rejected project, corrected, goes back under review (R-PRJ-01)."""
    project = await _get(uow, project_id)
    await require_active_partner(uow, project.partner_id, now)
    await require_known_co_developer(uow, draft.joint_partner_id, "project.joint_partner_id")
    occupied = site_keys(draft.site_url, draft.mirror_urls, NO_KNOWN_ALIASES)
    project.resubmit(
        draft,
        key_facts=await _key_facts(keys, draft.license_key),
        existing=await uow.projects.colliding(occupied, draft.license_key),
        aliases=NO_KNOWN_ALIASES,
        policy=policy,
        now=now,
    )
    await uow.projects.save(project)
    return project


async def edit(
    uow: PointsUnitOfWork,
    project_id: str,
    *,
    title: str | None,
    description: str | None,
    publish_on_site: bool | None,
) -> Project:
    """R-PRJ-01/02: presentation only; the points stay as they are."""
    project = await _get(uow, project_id)
    project.edit(title=title, description=description, publish_on_site=publish_on_site)
    await uow.projects.save(project)
    return project


async def approve(
    uow: PointsUnitOfWork,
    project_id: str,
    *,
    decided_by: str,
    note: str,
    template_design: bool | None,
    contract_holder_partner_id: str | None,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[Project, list[LedgerEntry]]:
    """Staff approve: points accrue (R-PRJ-01/03), split or awarded per R-PRJ-08, zero under a sanction
    (R-PTS-07); an approved co-developer's share is corrected in the ledger, never edited."""
    project = await _get(uow, project_id)
    counterpart = find_counterpart(project, await uow.projects.colliding(project.site_keys, project.license_key))
    approval = project.approve(
        entry_id=new_id(),
        at=now,
        decided_by=decided_by,
        policy=policy,
        counterpart=counterpart,
        sanctions=await uow.sanctions.for_partner(project.partner_id),
        template_design=template_design,
        contract_holder_partner_id=contract_holder_partner_id,
        note=note,
    )
    uow.record_entry(approval.entry)
    entries = [approval.entry]
    target = approval.joint.counterpart_share
    if counterpart is not None and target is not None and counterpart.state is ProjectState.APPROVED:
        correction = await _rebalance(uow, counterpart, target, decided_by=decided_by, now=now, policy=policy)
        if correction is not None:
            entries.append(correction)
    await uow.projects.save(project)
    uow.emit(project.events)
    return project, entries


async def _rebalance(
    uow: PointsUnitOfWork,
    counterpart: Project,
    target_share: Decimal,
    *,
    decided_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> LedgerEntry | None:
    if counterpart.ledger_entry_id is None or counterpart.base_points is None or counterpart.awarded_share is None:
        return None
    original = await uow.ledger.get(counterpart.ledger_entry_id)
    if original is None or counterpart.awarded_share == target_share:
        return None
    correction = rebalance_counterpart(
        original,
        base_points=counterpart.base_points,
        awarded_share=counterpart.awarded_share,
        target_share=target_share,
        entry_id=new_id(),
        at=now,
        decided_by=decided_by,
        policy=policy,
        sanctions=await uow.sanctions.for_partner(counterpart.partner_id),
    )
    counterpart.awarded_share = target_share
    await uow.projects.save(counterpart)
    if correction is not None:
        uow.record_entry(correction)
    return correction


async def reject(uow: PointsUnitOfWork, project_id: str, *, decided_by: str, note: str, now: datetime) -> Project:
    project = await _get(uow, project_id)
    project.reject(at=now, decided_by=decided_by, note=note)
    await uow.projects.save(project)
    uow.emit(project.events)
    return project


async def get(uow: PointsUnitOfWork, project_id: str) -> Project:
    return await _get(uow, project_id)


async def list_projects(
    uow: PointsUnitOfWork, *, partner_id: str | None, state: ProjectState | None, page_size: int, page_token: str
) -> tuple[list[Project], str]:
    return await paged(
        lambda offset, limit: uow.projects.page(partner_id=partner_id, state=state, offset=offset, limit=limit),
        page_size,
        page_token,
    )


async def overdue(
    uow: PointsUnitOfWork, *, now: datetime, page_size: int, page_token: str
) -> tuple[list[Project], str]:
    """R-PRJ-01: reviews past their deadline, oldest first."""
    today = kyiv_date(now)
    return await paged(
        lambda offset, limit: uow.projects.overdue(today, offset=offset, limit=limit), page_size, page_token
    )


async def _get(uow: PointsUnitOfWork, project_id: str) -> Project:
    project = await uow.projects.get(project_id)
    if project is None:
        raise not_found("project", project_id)
    return project
