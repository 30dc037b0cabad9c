"""Project use cases (R-PRJ-01..08): submission checked against the key registry, moderation, joint splits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.disputes import DisputeState, ProjectDispute, decided_shares
from points_service.domain.joint import DisputeStanding, share_corrections
from points_service.domain.keys import KeyFacts
from points_service.domain.ledger import LedgerEntry, SourceType
from points_service.domain.projects import (
    Project,
    ProjectDraft,
    ProjectState,
    find_counterpart,
    submit_project,
)
from points_service.domain.sites import SiteAlias, declare_alias, site_keys
from points_service.service_layer.common import (
    new_id,
    paged,
    require_active_partner,
    require_known_co_developer,
)
from points_service.service_layer.ports import KeyRegistry
from ppcore.clock import kyiv_date
from ppcore.errors import InvalidArgument, not_found
from ppcore.policy import ProgramPolicy


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
    """A project under review, or INVALID_ARGUMENT naming the rule (R-PRJ-04/05/06/07/08). Another
    partner's disagreeing claim to the same site opens (or joins) a dispute for staff (R-PRJ-08)."""
    await require_active_partner(uow, draft.partner_id, now)
    await require_known_co_developer(uow, draft.joint_partner_id, "project.joint_partner_id")
    aliases = await uow.site_aliases.known()
    occupied = site_keys(draft.site_url, draft.mirror_urls, aliases)
    submission = submit_project(
        draft,
        project_id=new_id(),
        key_facts=await _key_facts(keys, draft.license_key),
        existing=await uow.projects.colliding(occupied, draft.license_key),
        aliases=aliases,
        policy=policy,
        now=now,
        original=await _original(uow, draft),
    )
    project = submission.project
    await uow.projects.add(project)
    await _route_to_dispute(uow, project, submission.rivals, now)
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
    aliases = await uow.site_aliases.known()
    occupied = site_keys(draft.site_url, draft.mirror_urls, aliases)
    rivals = project.resubmit(
        draft,
        key_facts=await _key_facts(keys, draft.license_key),
        existing=await uow.projects.colliding(occupied, draft.license_key),
        aliases=aliases,
        policy=policy,
        now=now,
        original=await _original(uow, draft),
    )
    await uow.projects.save(project)
    await _route_to_dispute(uow, project, rivals, now)
    return project


async def _original(uow: PointsUnitOfWork, draft: ProjectDraft) -> Project | None:
    return await uow.projects.get(draft.language_version_of) if draft.language_version_of else None


async def _route_to_dispute(uow: PointsUnitOfWork, project: Project, rivals: list[Project], now: datetime) -> None:
    """R-PRJ-05/08: claims to one site that disagree are not settled first come first served: they join
    the open dispute over the site, or open one, and wait for staff. Nobody's points move here."""
    if not rivals:
        return
    dispute = None
    for rival in rivals:
        found = await uow.disputes.get(rival.dispute_id) if rival.dispute_id else None
        if found is not None and found.is_open:
            dispute = found
            break
    if dispute is None:
        claimants = ", ".join(sorted({project.partner_id, *(r.partner_id for r in rivals)}))
        dispute = ProjectDispute(
            dispute_id=new_id(),
            site_key=project.site_key,
            opened_at=now,
            reason=f"partners {claimants} claim the site and their declarations disagree (R-PRJ-08)",
        )
        await uow.disputes.add(dispute)
    for claim in [project, *rivals]:
        if claim.dispute_id != dispute.dispute_id:
            claim.dispute_id = dispute.dispute_id
            await uow.projects.save(claim)


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
    """Staff approve: points accrue (R-PRJ-01/03/04), shared per R-PRJ-08, zero under a sanction (R-PTS-07).
    When this approval completes a joint declaration, the co-developer approved earlier (with nothing)
    gets its half in the ledger; nothing is ever taken from it here."""
    if contract_holder_partner_id:
        raise InvalidArgument.for_field(
            "contract_holder_partner_id",
            "the client contract holder is staff's decision of a dispute: DecideProjectDispute (R-PRJ-08)",
            reason="PROJECT_DISPUTE_DECIDED_SEPARATELY",
            rule="R-PRJ-08",
        )
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
        dispute=await _standing(uow, project),
        note=note,
    )
    uow.record_entry(approval.entry)
    entries = [approval.entry]
    target = approval.joint.counterpart_share
    if (
        counterpart is not None
        and target is not None
        and counterpart.state is ProjectState.APPROVED
        and counterpart.dispute_id is None
        and counterpart.awarded_share is not None
        and counterpart.awarded_share < target
    ):
        entries += await _correct_share(
            uow,
            counterpart,
            target,
            why="the co-developer declared the joint development too",
            by=decided_by,
            now=now,
            policy=policy,
        )
    await uow.projects.save(project)
    uow.emit(project.events)
    return project, entries


async def _standing(uow: PointsUnitOfWork, project: Project) -> DisputeStanding | None:
    if project.dispute_id is None:
        return None
    dispute = await uow.disputes.get(project.dispute_id)
    if dispute is None:
        return None
    if dispute.is_open or dispute.contract_holder_partner_id is None:
        return DisputeStanding(dispute.dispute_id, is_open=True)
    shares = decided_shares(await uow.projects.in_dispute(dispute.dispute_id), dispute.contract_holder_partner_id)
    return DisputeStanding(dispute.dispute_id, is_open=False, share=shares[project.project_id])


async def _correct_share(
    uow: PointsUnitOfWork,
    project: Project,
    target_share: Decimal,
    *,
    why: str,
    by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> list[LedgerEntry]:
    """Bring an approved project to ``target_share`` of its points with new ledger entries (R-PTS-06)."""
    if project.base_points is None or project.awarded_share is None or project.awarded_share == target_share:
        return []
    corrections = share_corrections(
        await uow.ledger.for_source(SourceType.PROJECT, project.project_id),
        partner_id=project.partner_id,
        project_id=project.project_id,
        base_points=project.base_points,
        awarded_share=project.awarded_share,
        target_share=target_share,
        new_id=new_id,
        at=now,
        decided_by=by,
        policy=policy,
        why=why,
        sanctions=await uow.sanctions.for_partner(project.partner_id),
    )
    project.awarded_share = target_share
    await uow.projects.save(project)
    for correction in corrections:
        uow.record_entry(correction)
    return corrections


async def decide_dispute(
    uow: PointsUnitOfWork,
    dispute_id: str,
    *,
    contract_holder_partner_id: str,
    evidence: str,
    decided_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[ProjectDispute, list[Project], list[LedgerEntry]]:
    """R-PRJ-08: staff decide on evidence who holds the client contract; only this moves points between
    the claimants: approved claims are corrected in the ledger, pending ones get the share on approval."""
    dispute = await get_dispute(uow, dispute_id)
    claims = await uow.projects.in_dispute(dispute_id)
    shares = dispute.decide(
        claims,
        contract_holder_partner_id=contract_holder_partner_id,
        evidence=evidence,
        at=now,
        decided_by=decided_by,
        policy_version=policy.version,
    )
    await uow.disputes.save(dispute)
    why = f"dispute {dispute_id} decided by {decided_by}: {contract_holder_partner_id} holds the client contract"
    entries: list[LedgerEntry] = []
    for claim in claims:
        if claim.state is ProjectState.APPROVED:
            entries += await _correct_share(
                uow, claim, shares[claim.project_id], why=why, by=decided_by, now=now, policy=policy
            )
    return dispute, claims, entries


async def get_dispute(uow: PointsUnitOfWork, dispute_id: str) -> ProjectDispute:
    dispute = await uow.disputes.get(dispute_id)
    if dispute is None:
        raise not_found("project dispute", dispute_id)
    return dispute


async def list_disputes(
    uow: PointsUnitOfWork, *, state: DisputeState | None, page_size: int, page_token: str
) -> tuple[list[ProjectDispute], str]:
    """R-PRJ-08: the disputes staff have to decide (or decided), oldest first."""
    return await paged(
        lambda offset, limit: uow.disputes.page(state=state, offset=offset, limit=limit), page_size, page_token
    )


async def declare_site_alias(
    uow: PointsUnitOfWork, *, alias_url: str, site_url: str, note: str, declared_by: str, now: datetime
) -> SiteAlias:
    """R-PRJ-05: staff declare a mirror or alias; from then on a project on either address is the same project."""
    alias = declare_alias(
        alias_url, site_url, known=await uow.site_aliases.known(), declared_by=declared_by, at=now, note=note
    )
    await uow.site_aliases.add(alias)
    return alias


async def list_site_aliases(uow: PointsUnitOfWork, *, page_size: int, page_token: str) -> tuple[list[SiteAlias], str]:
    return await paged(lambda offset, limit: uow.site_aliases.page(offset=offset, limit=limit), page_size, page_token)


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
