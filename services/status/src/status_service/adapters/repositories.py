"""Repositories of the status database: load and save aggregates, list and look up rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ppcore.cooperative import ROWS_PER_READ, collect_in_slices, map_in_slices
from ppcore.notified_cache import mark_written
from ppcore.personal_data import LegalBasis
from ppcore.policy import Tier, parse_policy
from ppcore.uow import Touched, untouched
from status_service.adapters import codec
from status_service.adapters.orm import (
    ENTITLEMENTS_CHANNEL,
    ApplicationRow,
    CertificateRow,
    EmployeeRow,
    EntitlementRow,
    PartnerRow,
    PointsTotalsReceivedRow,
    PolicyVersionRow,
    StatusHistoryRow,
)
from status_service.domain.application import ApplicantData, Application
from status_service.domain.certificates import Certificate
from status_service.domain.cities import canonical_city
from status_service.domain.employees import Employee, Roster
from status_service.domain.entitlement import entitlement_snapshot
from status_service.domain.enums import AccessGroup, Activity, ApplicationState, LegalForm, Role, StatusChangeReason
from status_service.domain.leads import partner_city
from status_service.domain.partner import Partner
from status_service.domain.policy_versions import ScheduledPolicy
from status_service.domain.status_record import StatusHistoryEntry, StatusRecord


def _groups(text: str) -> frozenset[AccessGroup]:
    return frozenset(AccessGroup(g) for g in text.split(",") if g)


def _groups_text(groups: Iterable[AccessGroup]) -> str:
    return ",".join(sorted(g.value for g in groups))


def applicant_to_json(data: ApplicantData) -> dict[str, object]:
    values = asdict(data)
    values["legal_form"] = data.legal_form.value
    values["activities"] = sorted(a.value for a in data.activities)
    return values


def applicant_from_json(values: dict[str, object]) -> ApplicantData:
    copy = dict(values)
    copy["legal_form"] = LegalForm(str(copy["legal_form"]))
    copy["activities"] = frozenset(Activity(str(a)) for a in copy["activities"])  # type: ignore[attr-defined]
    return ApplicantData(**copy)  # type: ignore[arg-type]


class ApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, application_id: str, *, for_update: bool = False) -> Application | None:
        stmt = sa.select(ApplicationRow).where(ApplicationRow.application_id == application_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._session.execute(stmt)).scalar_one_or_none()
        return _application(row) if row else None

    async def save(self, application: Application) -> None:
        row = await self._session.get(ApplicationRow, application.application_id)
        if row is None:
            row = ApplicationRow(application_id=application.application_id)
            self._session.add(row)
        row.state = application.state.value
        row.applicant_login = application.data.applicant_login
        row.data = applicant_to_json(application.data)
        row.submitted_at = application.submitted_time
        row.review_started_at = application.review_started_time
        row.decided_at = application.decided_time
        row.staff_note = application.staff_note
        row.partner_id = application.partner_id
        await self._session.flush()

    async def page(
        self, state: ApplicationState | None, offset: int, limit: int, *, open_only: bool = False
    ) -> list[Application]:
        stmt = sa.select(ApplicationRow).order_by(ApplicationRow.review_started_at, ApplicationRow.application_id)
        if state is not None:
            stmt = stmt.where(ApplicationRow.state == state.value)
        if open_only:
            stmt = stmt.where(ApplicationRow.state == ApplicationState.UNDER_REVIEW.value)
        rows = (await self._session.execute(stmt.offset(offset).limit(limit))).scalars()
        return [_application(r) for r in rows]

    async def matching_person(self, login: str, email: str, phone: str) -> list[ApplicationRow]:
        rows = (await self._session.execute(sa.select(ApplicationRow))).scalars().all()
        return [
            r
            for r in rows
            if (login and r.applicant_login == login)
            or (email and str(r.data.get("contact_email", "")).casefold() == email.casefold())
            or (phone and str(r.data.get("contact_phone", "")) == phone)
        ]


def _application(row: ApplicationRow) -> Application:
    return Application(
        application_id=row.application_id,
        data=applicant_from_json(row.data),
        state=ApplicationState(row.state),
        submitted_time=row.submitted_at,
        review_started_time=row.review_started_at,
        decided_time=row.decided_at,
        staff_note=row.staff_note,
        partner_id=row.partner_id,
    )


class PartnerRepository:
    """Loads a whole partner (row, roster) and saves it back with its history and read rows."""

    def __init__(self, session: AsyncSession, touched: Touched = untouched) -> None:
        self._session = session
        self._touched = touched  # the unit of work announces every partner written (PartnerDataChanged)

    async def get(self, partner_id: str, *, for_update: bool = False) -> Partner | None:
        stmt = sa.select(PartnerRow).where(PartnerRow.partner_id == partner_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._session.execute(stmt)).scalar_one_or_none()
        if row is None:
            return None
        employees = (
            await self._session.execute(sa.select(EmployeeRow).where(EmployeeRow.partner_id == partner_id))
        ).scalars()
        return _partner(row, employees)

    async def every(self) -> list[Partner]:
        """Every partner with its roster in two queries, set-based (the policy simulation, R-POL-01)."""
        rows = (await self._session.execute(sa.select(PartnerRow.__table__).order_by(PartnerRow.partner_id))).all()
        # Plain rows, not ORM entities: ten times faster for tens of thousands of logins.
        rosters: dict[str, list[sa.Row[Any]]] = {}
        for employee in await self._session.execute(sa.select(EmployeeRow.__table__)):
            rosters.setdefault(employee.partner_id, []).append(employee)
        return [_partner(row, rosters.get(row.partner_id, ())) for row in rows]

    async def partner_of_login(self, login: str) -> str | None:
        return (
            await self._session.execute(sa.select(EmployeeRow.partner_id).where(EmployeeRow.login == login))
        ).scalar_one_or_none()

    async def ids(self, *, where: sa.ColumnElement[bool] | None = None) -> list[str]:
        stmt = sa.select(PartnerRow.partner_id).order_by(PartnerRow.partner_id)
        if where is not None:
            stmt = stmt.where(where)
        return list((await self._session.execute(stmt)).scalars())

    async def page(
        self,
        *,
        tier: Tier | None,
        city: str,
        competency_code: str,
        include_terminated: bool,
        today: date,
        after: str | None,
        limit: int,
    ) -> list[Partner]:
        """Up to ``limit`` partners by id, after the id ``after`` (keyset: one range of the
        primary key), for a list: each partner's roster holds its main user only."""
        partners = PartnerRow.__table__.c
        stmt = sa.select(PartnerRow.__table__).order_by(partners.partner_id)
        if after is not None:
            stmt = stmt.where(partners.partner_id > after)
        if tier is not None:
            stmt = stmt.where(PartnerRow.tier == tier.value)
        if city:
            stmt = stmt.where(PartnerRow.city_key == canonical_city(city))  # R-LEAD-01: one place
        if competency_code:
            stmt = stmt.where(PartnerRow.competency_codes.contains(f",{competency_code},"))
        if not include_terminated:
            stmt = stmt.where(sa.or_(PartnerRow.terminated_from.is_(None), PartnerRow.terminated_from > today))
        # Set-based and light (issue 12): two queries of plain rows, not ORM entities, and
        # one employee per partner; a list used to cost two queries per partner, then a
        # whole roster each, and the work held up the discount check on the same process.
        # Read by a cursor a few rows at a time: the decoding gives way to the discount check.
        cursor = await self._session.stream(stmt.limit(limit).execution_options(yield_per=ROWS_PER_READ))
        try:
            rows: list[sa.Row[Any]] = await collect_in_slices(cursor.partitions())
        finally:
            await cursor.close()  # already closed once read to the end; not if the call was cancelled
        mains: dict[str, list[sa.Row[Any]]] = {row.partner_id: [] for row in rows}
        if rows:
            employees = EmployeeRow.__table__.c
            found = await self._session.execute(
                sa.select(EmployeeRow.__table__).where(
                    employees.partner_id.in_(list(mains)), employees.role == Role.MAIN.value
                )
            )
            for employee in found:
                mains[employee.partner_id].append(employee)
        return await map_in_slices(lambda row: _partner(row, mains[row.partner_id]), rows)

    async def known(self, partner_id: str) -> bool:
        return (
            await self._session.execute(sa.select(PartnerRow.partner_id).where(PartnerRow.partner_id == partner_id))
        ).first() is not None

    async def employees_page(self, partner_id: str, after: tuple[datetime, str] | None, limit: int) -> list[Employee]:
        """A partner's employees by (attached_at, login), after ``after``: one bounded query."""
        employees = EmployeeRow.__table__.c
        stmt = sa.select(EmployeeRow.__table__).where(employees.partner_id == partner_id)
        if after is not None:
            stmt = stmt.where(sa.tuple_(employees.attached_at, employees.login) > sa.tuple_(*after))
        rows = await self._session.execute(stmt.order_by(employees.attached_at, employees.login).limit(limit))
        return [_employee(e) for e in rows]

    async def add(self, partner: Partner, today: date) -> None:
        self._touched(partner.partner_id)
        row = PartnerRow(partner_id=partner.partner_id)
        self._session.add(row)
        await self._write(row, partner, today)

    async def save(self, partner: Partner, today: date) -> None:
        self._touched(partner.partner_id)
        row = await self._session.get(PartnerRow, partner.partner_id)
        assert row is not None, "save() after get()"
        row.version += 1
        await self._write(row, partner, today)

    async def _write(self, row: PartnerRow, partner: Partner, today: date) -> None:
        status = partner.status
        row.application_id = partner.application_id
        row.company_name = partner.company_name
        row.legal_form = partner.legal_form.value
        row.city = partner.city
        row.city_key = canonical_city(partner_city(partner))
        row.approved_date = partner.approved_date
        row.tier = status.tier.value
        row.granted_date = status.granted_date
        row.granted_at = status.granted_time
        row.valid_until_date = status.valid_until_date
        row.confirmations = status.confirmations
        row.active_points = partner.active_points
        row.active_points_date = partner.active_points_date
        row.terminated_from = partner.termination.effective_date if partner.termination else None
        row.termination_completed = bool(partner.termination and partner.termination.completed)
        row.has_sanctions = bool(partner.sanctions)
        row.contacts_legal_basis = partner.contacts_legal_basis.value
        row.competency_codes = "," + "".join(f"{c}," for c in sorted(partner.competencies))
        row.document = {
            "card": codec.card_to_json(partner.card),
            "contract": codec.contract_to_json(partner.contract),
            "termination": codec.termination_to_json(partner.termination),
            "competencies": [codec.competency_to_json(c) for c in partner.competencies.values()],
            "sanctions": [codec.sanction_to_json(s) for s in partner.sanctions.values()],
            "monitoring": codec.monitoring_to_json(partner.monitoring_completions),
        }
        await self._session.flush()
        await self._sync_roster(partner)
        await self._append_history(partner.history)
        partner.history.clear()
        await write_entitlements(self._session, partner, today)

    async def _sync_roster(self, partner: Partner) -> None:
        current = {
            r.login: r
            for r in (
                await self._session.execute(sa.select(EmployeeRow).where(EmployeeRow.partner_id == partner.partner_id))
            ).scalars()
        }
        wanted = partner.roster.employees
        for login, stale in current.items():
            if login not in wanted:
                await self._session.delete(stale)
        await self._session.flush()
        for login, employee in wanted.items():
            row = current.get(login)
            if row is None:
                self._session.add(
                    EmployeeRow(
                        login=login,
                        partner_id=partner.partner_id,
                        role=employee.role.value,
                        access_groups=_groups_text(employee.access_groups),
                        attached_at=employee.attached_time,
                        legal_basis=employee.legal_basis.value,
                    )
                )
            else:
                row.role = employee.role.value
                row.access_groups = _groups_text(employee.access_groups)
                row.attached_at = employee.attached_time
                row.legal_basis = employee.legal_basis.value
        await self._session.flush()

    async def _append_history(self, entries: Sequence[StatusHistoryEntry]) -> None:
        for entry in entries:
            self._session.add(
                StatusHistoryRow(
                    partner_id=entry.partner_id,
                    from_tier=entry.from_tier.value if entry.from_tier else None,
                    to_tier=entry.to_tier.value,
                    changed_at=entry.changed_time,
                    reason=entry.reason.value,
                    policy_version=entry.policy_version,
                    granted_date=entry.granted_date,
                    valid_until_date=entry.valid_until_date,
                    sanction_id=entry.sanction_id,
                )
            )
        await self._session.flush()

    async def history(self, partner_id: str, offset: int, limit: int) -> list[StatusHistoryEntry]:
        rows = (
            await self._session.execute(
                sa.select(StatusHistoryRow)
                .where(StatusHistoryRow.partner_id == partner_id)
                .order_by(StatusHistoryRow.seq.desc())
                .offset(offset)
                .limit(limit)
            )
        ).scalars()
        return [history_entry(r) for r in rows]


def history_entry(row: StatusHistoryRow) -> StatusHistoryEntry:
    return StatusHistoryEntry(
        partner_id=row.partner_id,
        from_tier=Tier(row.from_tier) if row.from_tier else None,
        to_tier=Tier(row.to_tier),
        changed_time=row.changed_at,
        reason=StatusChangeReason(row.reason),
        policy_version=row.policy_version,
        granted_date=row.granted_date,
        valid_until_date=row.valid_until_date,
        sanction_id=row.sanction_id,
    )


def _employee(e: Any) -> Employee:
    """From an ORM entity or a plain row of the employees table."""
    return Employee(e.login, Role(e.role), _groups(e.access_groups), e.attached_at, LegalBasis(e.legal_basis))


def _partner(row: PartnerRow | sa.Row[Any], employees: Iterable[Any]) -> Partner:
    """From ORM entities or plain rows of the partners and employees tables."""
    doc = row.document
    roster = Roster(
        row.partner_id,
        {e.login: _employee(e) for e in sorted(employees, key=lambda e: e.attached_at)},
    )
    return Partner(
        partner_id=row.partner_id,
        application_id=row.application_id,
        company_name=row.company_name,
        legal_form=LegalForm(row.legal_form),
        city=row.city,
        approved_date=row.approved_date,
        status=StatusRecord(Tier(row.tier), row.granted_date, row.granted_at, row.valid_until_date, row.confirmations),
        roster=roster,
        card=codec.card_from_json(doc["card"]),
        contract=codec.contract_from_json(doc["contract"]),
        termination=codec.termination_from_json(doc["termination"]),
        competencies={c["code"]: codec.competency_from_json(c) for c in doc["competencies"]},
        sanctions={s["sanction_id"]: codec.sanction_from_json(s) for s in doc["sanctions"]},
        monitoring_completions=codec.monitoring_from_json(doc["monitoring"]),
        active_points=row.active_points,
        active_points_date=row.active_points_date,
        contacts_legal_basis=LegalBasis(row.contacts_legal_basis),
    )


async def write_entitlements(session: AsyncSession, partner: Partner, today: date) -> None:
    """Rewrite the partner's rows of the discount check's read table (R-ENT-01/02).

    Termination is stored as its first day and the block with its end, so the answer
    stays right across midnight; the daily job refreshes partners whose sanctions start
    or end.
    """
    mark_written(session.info, ENTITLEMENTS_CHANNEL)  # the discount check's cache reads this commit
    await session.execute(sa.delete(EntitlementRow).where(EntitlementRow.partner_id == partner.partner_id))
    base = entitlement_snapshot(partner, None, today)
    assert base is not None
    common = {
        "partner_id": partner.partner_id,
        "tier": base.tier.value,
        "terminated_from": partner.termination.effective_date if partner.termination else None,
        "contract_accepted": base.contract_accepted,
        "contract_suspended": base.contract_suspended,
        "discount_blocked": base.discount_blocked,
        "blocked_until": base.discount_blocked_until,
    }
    rows = [{"buyer_key": partner_key(partner.partner_id), "role": "", **common}]
    rows.extend(
        {"buyer_key": login_key(login), "role": employee.role.value, **common}
        for login, employee in partner.roster.employees.items()
    )
    await session.execute(sa.insert(EntitlementRow), rows)


def partner_key(partner_id: str) -> str:
    return f"p:{partner_id}"


def login_key(login: str) -> str:
    return f"l:{login}"


class CertificateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, certificate_id: str) -> Certificate | None:
        row = await self._session.get(CertificateRow, certificate_id)
        return _certificate(row) if row else None

    async def save(self, certificate: Certificate) -> None:
        row = await self._session.get(CertificateRow, certificate.certificate_id)
        if row is None:
            row = CertificateRow(certificate_id=certificate.certificate_id)
            self._session.add(row)
        row.login = certificate.login
        row.course_code = certificate.course_code
        row.issued_date = certificate.issued_date
        row.revoked_at = certificate.revoked_time
        row.revoke_reason = certificate.revoke_reason
        await self._session.flush()

    async def of_logins(self, logins: Iterable[str]) -> list[Certificate]:
        wanted = list(logins)
        if not wanted:
            return []
        rows = (
            await self._session.execute(
                sa.select(CertificateRow)
                .where(CertificateRow.login.in_(wanted))
                .order_by(CertificateRow.login, CertificateRow.certificate_id)
            )
        ).scalars()
        return [_certificate(r) for r in rows]

    async def active_courses_of_attached_logins(self) -> dict[str, frozenset[str]]:
        """Active courses of every login attached to some partner, in one query of plain pairs
        (R-EMP-06, R-POL-01): the same map as ``courses_by_login`` without a Certificate per row."""
        rows = await self._session.execute(
            sa.select(CertificateRow.login, CertificateRow.course_code)
            .join(EmployeeRow, EmployeeRow.login == CertificateRow.login)
            .where(CertificateRow.revoked_at.is_(None))
        )
        held: dict[str, set[str]] = {}
        for login, course in rows:
            held.setdefault(login, set()).add(course)
        return {login: frozenset(courses) for login, courses in held.items()}

    async def list_of_login(self, login: str, offset: int, limit: int) -> list[Certificate]:
        rows = (
            await self._session.execute(
                sa.select(CertificateRow)
                .where(CertificateRow.login == login)
                .order_by(CertificateRow.issued_date, CertificateRow.certificate_id)
                .offset(offset)
                .limit(limit)
            )
        ).scalars()
        return [_certificate(r) for r in rows]


def _certificate(row: CertificateRow | sa.Row[Any]) -> Certificate:
    return Certificate(
        certificate_id=row.certificate_id,
        login=row.login,
        course_code=row.course_code,
        issued_date=row.issued_date,
        revoked_time=row.revoked_at,
        revoke_reason=row.revoke_reason,
    )


class PointsTotalsRepository:
    """The dates of points' daily totals status has received in full (R-PTS-05)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, business_date: date, now: datetime) -> None:
        if await self._session.get(PointsTotalsReceivedRow, business_date) is None:
            self._session.add(PointsTotalsReceivedRow(business_date=business_date, received_at=now))
            await self._session.flush()

    async def latest(self) -> date | None:
        """The latest date received: its totals and every earlier date's are in."""
        return (await self._session.execute(sa.select(sa.func.max(PointsTotalsReceivedRow.business_date)))).scalar()


class PolicyVersionRepository:
    """Scheduled policy versions (R-POL-01), validated again on load exactly as at start-up."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def every(self) -> list[ScheduledPolicy]:
        rows = (
            await self._session.execute(sa.select(PolicyVersionRow).order_by(PolicyVersionRow.effective_date))
        ).scalars()
        return [
            ScheduledPolicy(
                parse_policy(r.document, f"policy version {r.version}"),
                r.effective_date,
                r.registered_at,
                r.registered_by,
                r.document,
            )
            for r in rows
        ]

    async def add(self, scheduled: ScheduledPolicy, document: str) -> None:
        self._session.add(
            PolicyVersionRow(
                version=scheduled.version,
                effective_date=scheduled.effective_date,
                document=document,
                registered_at=scheduled.registered_time,
                registered_by=scheduled.registered_by,
            )
        )
        await self._session.flush()
