"""Repositories of the points aggregates: rows <-> domain objects, and the look-ups use cases need."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from points_service.adapters.orm import (
    Hundredths,
    MonitoringSubmissionRow,
    OrderRow,
    PointRequestRow,
    ProjectDisputeRow,
    ProjectRow,
    ProjectSiteKeyRow,
    SiteAliasRow,
)
from points_service.adapters.rows import RowRepository, page_query
from points_service.domain.disputes import DisputeState, ProjectDispute
from points_service.domain.monitoring import (
    ClientContact,
    MonitoringState,
    MonitoringSubmission,
    TestOutcome,
    TestResult,
)
from points_service.domain.orders import Order, OrderLine, OrderState
from points_service.domain.projects import Project, ProjectState
from points_service.domain.requests import Evidence, PointRequest, PointRequestState
from points_service.domain.sites import SiteAlias, SiteAliases
from ppcore.personal_data import LegalBasis


class OrderRepository(RowRepository[Order]):
    row = OrderRow

    def _values(self, order: Order) -> dict[str, Any]:
        return _order_values(order)

    def _from_row(self, row: OrderRow) -> Order:
        return _order_from_row(row)

    async def sales_volume(self, partner_id: str, start: datetime, end: datetime) -> tuple[Decimal, Decimal, int]:
        """Recorded orders of a partner placed in [start, end): what it paid, its sales at the policy's
        price basis (R-NFR-06/08) and the count."""
        sales = sa.func.coalesce(OrderRow.sales_uah, OrderRow.amount_uah)
        row = (
            await self._session.execute(
                sa.select(
                    sa.type_coerce(sa.func.coalesce(sa.func.sum(OrderRow.amount_uah), 0), Hundredths()),
                    sa.type_coerce(sa.func.coalesce(sa.func.sum(sales), 0), Hundredths()),
                    sa.func.count(),
                ).where(
                    OrderRow.partner_id == partner_id,
                    OrderRow.state == OrderState.RECORDED.value,
                    OrderRow.ordered_at >= start,
                    OrderRow.ordered_at < end,
                )
            )
        ).one()
        return Decimal(row[0] or 0), Decimal(row[1] or 0), int(row[2])


def _order_values(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "partner_id": order.partner_id,
        "lines": [
            {
                "product_code": line.product_code,
                "amount_uah": str(line.amount_uah),
                "edition_code": line.edition_code,
                "is_renewal": line.is_renewal,
                "is_upgrade": line.is_upgrade,
                "quantity": line.quantity,
                "list_amount_uah": None if line.list_amount_uah is None else str(line.list_amount_uah),
            }
            for line in order.lines
        ],
        "amount_uah": order.amount_uah,
        "sales_uah": order.sales_uah,
        "ordered_at": order.ordered_at,
        "state": order.state.value,
        "cancelled_at": order.cancelled_at,
        "cancel_reason": order.cancel_reason,
    }


def _order_from_row(row: OrderRow) -> Order:
    return Order(
        order_id=row.order_id,
        partner_id=row.partner_id,
        lines=tuple(
            OrderLine(
                product_code=line["product_code"],
                amount_uah=Decimal(line["amount_uah"]),
                edition_code=line["edition_code"],
                is_renewal=line["is_renewal"],
                is_upgrade=line["is_upgrade"],
                quantity=line["quantity"],
                list_amount_uah=None if line.get("list_amount_uah") is None else Decimal(line["list_amount_uah"]),
            )
            for line in row.lines
        ),
        sales_uah=row.sales_uah if row.sales_uah is not None else row.amount_uah,
        ordered_at=row.ordered_at,
        state=OrderState(row.state),
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
    )


class ProjectRepository(RowRepository[Project]):
    """A project row and the site keys it claims (one row each)."""

    row = ProjectRow

    def _values(self, project: Project) -> dict[str, Any]:
        return _project_values(project)

    async def get(self, key: str) -> Project | None:
        row = await self._session.get(ProjectRow, key)
        if row is None:
            return None
        return (await self._with_keys([row]))[0]

    async def add(self, item: Project) -> None:
        await super().add(item)
        await self._replace_keys(item)

    async def save(self, item: Project) -> None:
        await super().save(item)
        await self._replace_keys(item)

    async def colliding(self, site_keys: Iterable[str], license_key: str) -> list[Project]:
        """Projects sharing a site key (R-PRJ-05, R-PRJ-08) or the license key (R-PRJ-06)."""
        by_site = sa.select(ProjectSiteKeyRow.project_id).where(ProjectSiteKeyRow.site_key.in_(list(site_keys)))
        rows = await self._session.scalars(
            sa.select(ProjectRow).where(
                sa.or_(ProjectRow.project_id.in_(by_site), ProjectRow.license_key == license_key.strip())
            )
        )
        return await self._with_keys(list(rows))

    async def in_dispute(self, dispute_id: str) -> list[Project]:
        """The projects whose claims to one site are in the dispute (R-PRJ-08), oldest first."""
        rows = await self._session.scalars(
            sa.select(ProjectRow)
            .where(ProjectRow.dispute_id == dispute_id)
            .order_by(ProjectRow.submitted_at, ProjectRow.project_id)
        )
        return await self._with_keys(list(rows))

    async def page(
        self, *, partner_id: str | None, state: ProjectState | None, offset: int, limit: int
    ) -> list[Project]:
        query = page_query(
            ProjectRow,
            (ProjectRow.submitted_at.desc(), ProjectRow.project_id),
            offset=offset,
            limit=limit,
            partner_id=partner_id,
            state=state,
        )
        return await self._with_keys(list(await self._session.scalars(query)))

    async def overdue(self, today: date, *, offset: int, limit: int) -> list[Project]:
        """R-PRJ-01: under review past the deadline, oldest deadline first."""
        query = page_query(
            ProjectRow,
            (ProjectRow.review_due_date, ProjectRow.project_id),
            offset=offset,
            limit=limit,
            state=ProjectState.UNDER_REVIEW,
            where=(ProjectRow.review_due_date < today,),
        )
        return await self._with_keys(list(await self._session.scalars(query)))

    async def _with_keys(self, rows: Sequence[ProjectRow]) -> list[Project]:
        if not rows:
            return []
        keys: dict[str, set[str]] = {r.project_id: set() for r in rows}
        found = await self._session.execute(
            sa.select(ProjectSiteKeyRow.project_id, ProjectSiteKeyRow.site_key).where(
                ProjectSiteKeyRow.project_id.in_(list(keys))
            )
        )
        for project_id, site_key in found:
            keys[project_id].add(site_key)
        return [_project_from_row(r, frozenset(keys[r.project_id])) for r in rows]

    async def _replace_keys(self, project: Project) -> None:
        await self._session.execute(
            sa.delete(ProjectSiteKeyRow).where(ProjectSiteKeyRow.project_id == project.project_id)
        )
        for key in sorted(project.site_keys):
            self._session.add(ProjectSiteKeyRow(site_key=key, project_id=project.project_id))
        await self._session.flush()


def _project_values(p: Project) -> dict[str, Any]:
    return {
        "project_id": p.project_id,
        "partner_id": p.partner_id,
        "site_url": p.site_url,
        "site_key": p.site_key,
        "mirror_urls": list(p.mirror_urls),
        "license_key": p.license_key,
        "edition_code": p.edition_code,
        "title": p.title,
        "description": p.description,
        "publish_on_site": p.publish_on_site,
        "template_design": p.template_design,
        "joint_partner_id": p.joint_partner_id,
        "contract_holder_partner_id": p.contract_holder_partner_id,
        "state": p.state.value,
        "submitted_at": p.submitted_at,
        "review_due_date": p.review_due_date,
        "submission_count": p.submission_count,
        "moderator_note": p.moderator_note,
        "decided_at": p.decided_at,
        "decided_by": p.decided_by,
        "base_points": p.base_points,
        "awarded_share": p.awarded_share,
        "ledger_entry_id": p.ledger_entry_id,
        "policy_version": p.policy_version,
        "dispute_id": p.dispute_id,
        "language_version_of": p.language_version_of,
    }


def _project_from_row(row: ProjectRow, keys: frozenset[str]) -> Project:
    return Project(
        project_id=row.project_id,
        partner_id=row.partner_id,
        site_url=row.site_url,
        site_key=row.site_key,
        site_keys=keys,
        mirror_urls=tuple(row.mirror_urls),
        license_key=row.license_key,
        edition_code=row.edition_code,
        title=row.title,
        description=row.description,
        publish_on_site=row.publish_on_site,
        template_design=row.template_design,
        joint_partner_id=row.joint_partner_id,
        contract_holder_partner_id=row.contract_holder_partner_id,
        state=ProjectState(row.state),
        submitted_at=row.submitted_at,
        review_due_date=row.review_due_date,
        submission_count=row.submission_count,
        moderator_note=row.moderator_note,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        base_points=row.base_points,
        awarded_share=row.awarded_share,
        ledger_entry_id=row.ledger_entry_id,
        policy_version=row.policy_version,
        dispute_id=row.dispute_id,
        language_version_of=row.language_version_of,
    )


class DisputeRepository(RowRepository[ProjectDispute]):
    """R-PRJ-05/08: disputes over client sites."""

    row = ProjectDisputeRow

    def _values(self, dispute: ProjectDispute) -> dict[str, Any]:
        return _dispute_values(dispute)

    def _from_row(self, row: ProjectDisputeRow) -> ProjectDispute:
        return _dispute_from_row(row)

    async def add(self, item: ProjectDispute) -> None:
        await super().add(item)
        await self._session.flush()

    async def page(self, *, state: DisputeState | None, offset: int, limit: int) -> list[ProjectDispute]:
        query = page_query(
            ProjectDisputeRow,
            (ProjectDisputeRow.opened_at, ProjectDisputeRow.dispute_id),
            offset=offset,
            limit=limit,
            state=state,
        )
        return [_dispute_from_row(r) for r in await self._session.scalars(query)]


def _dispute_values(d: ProjectDispute) -> dict[str, Any]:
    return {
        "dispute_id": d.dispute_id,
        "site_key": d.site_key,
        "state": d.state.value,
        "reason": d.reason,
        "opened_at": d.opened_at,
        "decided_at": d.decided_at,
        "decided_by": d.decided_by,
        "contract_holder_partner_id": d.contract_holder_partner_id,
        "evidence": d.evidence,
        "policy_version": d.policy_version,
    }


def _dispute_from_row(row: ProjectDisputeRow) -> ProjectDispute:
    return ProjectDispute(
        dispute_id=row.dispute_id,
        site_key=row.site_key,
        opened_at=row.opened_at,
        reason=row.reason,
        state=DisputeState(row.state),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        contract_holder_partner_id=row.contract_holder_partner_id,
        evidence=row.evidence,
        policy_version=row.policy_version,
    )


class SiteAliasRepository:
    """R-PRJ-05: the aliases and mirrors staff declared, used by every project submission."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def known(self) -> SiteAliases:
        """Every declared alias. Staff declare them one by one, so the table stays small enough to
        load whole; the whole table is what lets an alias declared later still match (R-PRJ-05)."""
        rows = await self._session.execute(sa.select(SiteAliasRow.alias_key, SiteAliasRow.site_key))
        return SiteAliases({alias: site for alias, site in rows})

    async def get(self, alias_key: str) -> SiteAlias | None:
        row = await self._session.get(SiteAliasRow, alias_key)
        return _alias_from_row(row) if row is not None else None

    async def add(self, alias: SiteAlias) -> None:
        self._session.add(
            SiteAliasRow(
                alias_key=alias.alias_key,
                site_key=alias.site_key,
                declared_by=alias.declared_by,
                declared_at=alias.declared_at,
                note=alias.note,
            )
        )
        await self._session.flush()

    async def page(self, *, offset: int, limit: int) -> list[SiteAlias]:
        query = page_query(SiteAliasRow, (SiteAliasRow.site_key, SiteAliasRow.alias_key), offset=offset, limit=limit)
        return [_alias_from_row(r) for r in await self._session.scalars(query)]


def _alias_from_row(row: SiteAliasRow) -> SiteAlias:
    return SiteAlias(
        alias_key=row.alias_key,
        site_key=row.site_key,
        declared_by=row.declared_by,
        declared_at=row.declared_at,
        note=row.note,
    )


class MonitoringRepository(RowRepository[MonitoringSubmission]):
    row = MonitoringSubmissionRow

    def _values(self, submission: MonitoringSubmission) -> dict[str, Any]:
        return _submission_values(submission)

    def _from_row(self, row: MonitoringSubmissionRow) -> MonitoringSubmission:
        return _submission_from_row(row)

    async def for_site(self, site_key: str) -> list[MonitoringSubmission]:
        rows = await self._session.scalars(
            sa.select(MonitoringSubmissionRow).where(MonitoringSubmissionRow.site_key == site_key)
        )
        return [_submission_from_row(r) for r in rows]

    async def page(
        self, *, partner_id: str | None, state: MonitoringState | None, offset: int, limit: int
    ) -> list[MonitoringSubmission]:
        query = page_query(
            MonitoringSubmissionRow,
            (MonitoringSubmissionRow.submitted_at.desc(), MonitoringSubmissionRow.submission_id),
            offset=offset,
            limit=limit,
            partner_id=partner_id,
            state=state,
        )
        return [_submission_from_row(r) for r in await self._session.scalars(query)]

    async def erase_client(self, *, email: str, phone: str) -> int:
        """R-PD-03: anonymise a client's contact wherever it appears; submissions and scores stay."""
        matches = []
        if email:
            matches.append(sa.func.lower(MonitoringSubmissionRow.client_email) == email.lower())
        if phone:
            matches.append(MonitoringSubmissionRow.client_phone == phone)
        if not matches:
            return 0
        result = await self._session.execute(
            sa.update(MonitoringSubmissionRow)
            .where(sa.or_(*matches))
            .values(client_name=ERASED, client_phone="", client_email="")
        )
        return int(getattr(result, "rowcount", 0) or 0)


ERASED = "[erased]"


def _submission_values(s: MonitoringSubmission) -> dict[str, Any]:
    return {
        "submission_id": s.submission_id,
        "partner_id": s.partner_id,
        "project_id": s.project_id,
        "site_key": s.site_key,
        "license_key": s.license_key,
        "edition_code": s.edition_code,
        "client_name": s.client_contact.name,
        "client_phone": s.client_contact.phone,
        "client_email": s.client_contact.email,
        "client_legal_basis": s.client_contact.legal_basis.value,
        "test_results": [
            {
                "test_code": t.test_code,
                "mandatory": t.mandatory,
                "outcome": t.outcome.value,
                "explanation": t.explanation,
            }
            for t in s.test_results
        ],
        "state": s.state.value,
        "survey_scores": dict(s.survey_scores),
        "submitted_at": s.submitted_at,
        "completed_at": s.completed_at,
        "surveyed_by": s.surveyed_by,
        "ledger_entry_id": s.ledger_entry_id,
    }


def _submission_from_row(row: MonitoringSubmissionRow) -> MonitoringSubmission:
    return MonitoringSubmission(
        submission_id=row.submission_id,
        partner_id=row.partner_id,
        project_id=row.project_id,
        site_key=row.site_key,
        license_key=row.license_key,
        edition_code=row.edition_code,
        client_contact=ClientContact(
            name=row.client_name,
            phone=row.client_phone,
            email=row.client_email,
            legal_basis=LegalBasis(row.client_legal_basis),
        ),
        test_results=tuple(
            TestResult(
                test_code=t["test_code"],
                mandatory=t["mandatory"],
                outcome=TestOutcome(t["outcome"]),
                explanation=t["explanation"],
            )
            for t in row.test_results
        ),
        submitted_at=row.submitted_at,
        state=MonitoringState(row.state),
        survey_scores=dict(row.survey_scores),
        completed_at=row.completed_at,
        surveyed_by=row.surveyed_by,
        ledger_entry_id=row.ledger_entry_id,
    )


class PointRequestRepository(RowRepository[PointRequest]):
    row = PointRequestRow

    def _values(self, request: PointRequest) -> dict[str, Any]:
        return _request_values(request)

    def _from_row(self, row: PointRequestRow) -> PointRequest:
        return _request_from_row(row)

    async def page(
        self, *, partner_id: str | None, state: PointRequestState | None, offset: int, limit: int
    ) -> list[PointRequest]:
        query = page_query(
            PointRequestRow,
            (PointRequestRow.submitted_at.desc(), PointRequestRow.point_request_id),
            offset=offset,
            limit=limit,
            partner_id=partner_id,
            state=state,
        )
        return [_request_from_row(r) for r in await self._session.scalars(query)]

    async def overdue(self, today: date, *, offset: int, limit: int) -> list[PointRequest]:
        """R-PTS-03: pending past the deadline, oldest deadline first."""
        query = page_query(
            PointRequestRow,
            (PointRequestRow.due_date, PointRequestRow.point_request_id),
            offset=offset,
            limit=limit,
            state=PointRequestState.PENDING,
            where=(PointRequestRow.due_date < today,),
        )
        return [_request_from_row(r) for r in await self._session.scalars(query)]


def _request_values(r: PointRequest) -> dict[str, Any]:
    return {
        "point_request_id": r.request_id,
        "partner_id": r.partner_id,
        "category": r.category,
        "requested_points": r.requested_points,
        "evidence_description": r.evidence.description,
        "evidence_links": list(r.evidence.links),
        "state": r.state.value,
        "submitted_at": r.submitted_at,
        "due_date": r.due_date,
        "granted_points": r.granted_points,
        "decision_reason": r.decision_reason,
        "decided_at": r.decided_at,
        "decided_by": r.decided_by,
        "ledger_entry_id": r.ledger_entry_id,
        "event_notice_at": r.event_notice_at,
    }


def _request_from_row(row: PointRequestRow) -> PointRequest:
    return PointRequest(
        request_id=row.point_request_id,
        partner_id=row.partner_id,
        category=row.category,
        requested_points=row.requested_points,
        evidence=Evidence(row.evidence_description, tuple(row.evidence_links)),
        submitted_at=row.submitted_at,
        due_date=row.due_date,
        state=PointRequestState(row.state),
        granted_points=row.granted_points,
        decision_reason=row.decision_reason,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        ledger_entry_id=row.ledger_entry_id,
        event_notice_at=row.event_notice_at,
    )
