"""Quality-monitoring use cases (R-QM-01..05)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.keys import check_key_facts
from points_service.domain.ledger import LedgerEntry
from points_service.domain.monitoring import (
    ClientContact,
    MonitoringState,
    MonitoringSubmission,
    Questionnaire,
    TestResult,
    submit_stage1,
)
from points_service.domain.sites import normalize_site
from points_service.service_layer.common import new_id, paged, require_active_partner
from points_service.service_layer.ports import KeyRegistry
from ppcore.errors import InvalidArgument, not_found
from ppcore.policy import ProgramPolicy


async def submit_results(
    uow: PointsUnitOfWork,
    *,
    partner_id: str,
    project_id: str | None,
    site_url: str,
    license_key: str,
    edition_code: str | None,
    client_contact: ClientContact,
    test_results: Iterable[TestResult],
    keys: KeyRegistry,
    now: datetime,
    policy: ProgramPolicy,
) -> MonitoringSubmission:
    """Stage 1 (R-QM-02), for any partner whatever its status (R-QM-01), with or without the project
    on its card. The points value comes from the key's edition (R-QM-04), so the key is checked like a
    project's (R-PRJ-04)."""
    await require_active_partner(uow, partner_id, now)
    site_key = normalize_site(site_url, field_path="site_url")
    if project_id:
        project = await uow.projects.get(project_id)
        if project is None or project.partner_id != partner_id:
            raise InvalidArgument.for_field(
                "project_id", f"partner {partner_id} has no project {project_id}", reason="MONITORING_PROJECT_UNKNOWN"
            )
    facts = check_key_facts(
        license_key, await keys.facts(license_key.strip()) if license_key.strip() else None, submitter=partner_id
    )
    if edition_code and facts.edition_code and edition_code != facts.edition_code:
        raise InvalidArgument.for_field(
            "edition_code",
            f"the license key is of edition {facts.edition_code}, not {edition_code} (R-QM-04)",
            reason="MONITORING_EDITION_MISMATCH",
            rule="R-QM-04",
        )
    submission = submit_stage1(
        submission_id=new_id(),
        partner_id=partner_id,
        project_id=project_id,
        site_key=site_key,
        license_key=license_key.strip(),
        edition_code=facts.edition_code or edition_code or "",
        client_contact=client_contact,
        test_results=test_results,
        policy=policy,
        now=now,
        existing=await uow.monitoring.for_site(site_key),
    )
    await uow.monitoring.add(submission)
    return submission


async def record_survey(
    uow: PointsUnitOfWork,
    submission_id: str,
    *,
    scores: Mapping[str, int],
    surveyed_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[MonitoringSubmission, LedgerEntry]:
    """Stage 2 (R-QM-03): completion accrues the edition's points value (R-QM-04) and announces it (R-QM-05)."""
    submission = await get(uow, submission_id)
    entry = submission.record_survey(
        scores,
        entry_id=new_id(),
        at=now,
        surveyed_by=surveyed_by,
        policy=policy,
        sanctions=await uow.sanctions.for_partner(submission.partner_id),
    )
    uow.record_entry(entry)
    await uow.monitoring.save(submission)
    uow.emit(submission.events)
    return submission, entry


async def get(uow: PointsUnitOfWork, submission_id: str) -> MonitoringSubmission:
    submission = await uow.monitoring.get(submission_id)
    if submission is None:
        raise not_found("monitoring submission", submission_id)
    return submission


async def list_submissions(
    uow: PointsUnitOfWork, *, partner_id: str | None, state: MonitoringState | None, page_size: int, page_token: str
) -> tuple[list[MonitoringSubmission], str]:
    return await paged(
        lambda offset, limit: uow.monitoring.page(partner_id=partner_id, state=state, offset=offset, limit=limit),
        page_size,
        page_token,
    )


async def points_of(uow: PointsUnitOfWork, submission: MonitoringSubmission) -> str:
    if submission.ledger_entry_id is None:
        return "0.00"
    entry = await uow.ledger.get(submission.ledger_entry_id)
    return str(entry.amount) if entry is not None else "0.00"


def questionnaire() -> Questionnaire:
    """R-QM-03: the survey's question codes and score range, so callers need not learn them from a refusal."""
    return Questionnaire()
