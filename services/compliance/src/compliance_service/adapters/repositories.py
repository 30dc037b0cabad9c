"""Repositories on one session: load domain objects, add new ones, save changed ones.

Loads meant for a change take a row lock (``FOR UPDATE`` on PostgreSQL; SQLite already
serialises writers with ``BEGIN IMMEDIATE``), so two staff deciding the same case at
once are applied one after the other and the second sees the first's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from compliance_service.adapters.orm import (
    AgreedDiscountRow,
    CaseRow,
    PartnerRow,
    PersonalDataRequestRow,
    SanctionRow,
    copy_onto,
)
from compliance_service.adapters.rows import (
    agreed_discount_from_row,
    agreed_discount_row,
    agreed_discount_values,
    case_from_row,
    case_values,
    control_purchase_row,
    pd_request_from_row,
    pd_request_values,
    sanction_from_row,
    sanction_values,
)
from compliance_service.domain.agreed_discounts import AgreedDiscount
from compliance_service.domain.cases import CaseState, ViolationCase
from compliance_service.domain.personal_data import DataSubject, PersonalDataRequest, PersonalDataRequestState
from compliance_service.domain.pricing import ControlPurchase
from compliance_service.domain.sanction_catalogue import SanctionKind
from compliance_service.domain.sanctions import Sanction, SanctionState
from compliance_service.domain.violation_types import ViolationType
from ppcore.uow import Touched, untouched


class PartnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def exists(self, partner_id: str) -> bool:
        return await self._session.get(PartnerRow, partner_id) is not None

    async def record_approved(self, partner_id: str, approved_at: datetime) -> None:
        if await self._session.get(PartnerRow, partner_id) is None:
            self._session.add(PartnerRow(partner_id=partner_id, approved_at=approved_at, terminated_on=None))

    async def record_terminated(self, partner_id: str, effective_date: date, seen_at: datetime) -> None:
        row = await self._session.get(PartnerRow, partner_id)
        if row is None:
            # Termination seen before approval (a stream replayed from a later point): the partner existed.
            row = PartnerRow(partner_id=partner_id, approved_at=seen_at, terminated_on=None)
            self._session.add(row)
        row.terminated_on = effective_date


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, case: ViolationCase, *, incident_order_id: str | None = None) -> None:
        self._session.add(CaseRow(**case_values(case), incident_order_id=incident_order_id))

    async def get(self, case_id: str, *, for_update: bool = False) -> ViolationCase | None:
        row = await self._session.get(CaseRow, case_id, with_for_update=for_update)
        return case_from_row(row) if row is not None else None

    async def save(self, case: ViolationCase) -> None:
        row = await self._session.get(CaseRow, case.case_id)
        if row is None:
            raise LookupError(f"case {case.case_id} was never added")
        copy_onto(row, case_values(case))

    async def incident_for_order(self, order_id: str) -> str | None:
        """The dumping case the price check opened for an order, if any (R-PRC-02)."""
        result = await self._session.execute(sa.select(CaseRow.case_id).where(CaseRow.incident_order_id == order_id))
        return result.scalar_one_or_none()

    async def list(
        self,
        *,
        partner_id: str,
        state: CaseState | None,
        violation_type: ViolationType | None,
        offset: int,
        limit: int,
    ) -> list[ViolationCase]:
        query = sa.select(CaseRow).order_by(CaseRow.opened_time.desc(), CaseRow.case_id.desc())
        if partner_id:
            query = query.where(CaseRow.partner_id == partner_id)
        if state is not None:
            query = query.where(CaseRow.state == state.value)
        if violation_type is not None:
            query = query.where(CaseRow.violation_type == violation_type.value)
        rows = (await self._session.scalars(query.offset(offset).limit(limit))).all()
        return [case_from_row(row) for row in rows]

    async def violation_types(self, case_ids: Sequence[str]) -> dict[str, ViolationType]:
        if not case_ids:
            return {}
        result = await self._session.execute(
            sa.select(CaseRow.case_id, CaseRow.violation_type).where(CaseRow.case_id.in_(set(case_ids)))
        )
        return {case_id: ViolationType(kind) for case_id, kind in result.all()}


class SanctionRepository:
    def __init__(self, session: AsyncSession, touched: Touched = untouched) -> None:
        self._session = session
        self._touched = touched  # the unit of work announces every partner written (PartnerDataChanged)

    def add(self, sanction: Sanction) -> None:
        self._touched(sanction.partner_id)
        self._session.add(SanctionRow(**sanction_values(sanction)))

    async def get(self, sanction_id: str, *, for_update: bool = False) -> Sanction | None:
        row = await self._session.get(SanctionRow, sanction_id, with_for_update=for_update)
        return sanction_from_row(row) if row is not None else None

    async def save(self, sanction: Sanction) -> None:
        self._touched(sanction.partner_id)
        row = await self._session.get(SanctionRow, sanction.sanction_id)
        if row is None:
            raise LookupError(f"sanction {sanction.sanction_id} was never added")
        copy_onto(row, sanction_values(sanction))

    async def of_partner(self, partner_id: str) -> list[Sanction]:
        rows = await self._session.scalars(
            sa.select(SanctionRow)
            .where(SanctionRow.partner_id == partner_id)
            .order_by(SanctionRow.start_date, SanctionRow.sanction_id)
        )
        return [sanction_from_row(row) for row in rows]

    async def due_to_lift(self, today: date, limit: int) -> list[Sanction]:
        """Applied sanctions whose end date has come (their end is 00:00 Kyiv on end_date)."""
        rows = await self._session.scalars(
            sa.select(SanctionRow)
            .where(SanctionRow.state == SanctionState.APPLIED.value, SanctionRow.end_date <= today)
            .order_by(SanctionRow.end_date, SanctionRow.sanction_id)
            .limit(limit)
        )
        return [sanction_from_row(row) for row in rows]

    async def claim_lift(self, sanction: Sanction) -> bool:
        """Write a lift only if the sanction is still applied; False when another replica won."""
        values = sanction_values(sanction)
        result = await self._session.execute(
            sa.update(SanctionRow)
            .where(SanctionRow.sanction_id == sanction.sanction_id, SanctionRow.state == SanctionState.APPLIED.value)
            .values(
                state=values["state"],
                lift_reason=values["lift_reason"],
                lift_note=values["lift_note"],
                lifted_by=values["lifted_by"],
                lifted_time=values["lifted_time"],
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def active_page(
        self,
        at: datetime,
        day: date,
        *,
        partner_id: str,
        kind: SanctionKind | None,
        after: tuple[date, str] | None,
        limit: int,
    ) -> list[Sanction]:
        """Up to ``limit`` sanctions in force at ``at`` (00:00 Kyiv of ``day``): started by
        then, not ended and not lifted; by (start_date, sanction_id), after ``after``."""
        query = sa.select(SanctionRow).where(
            SanctionRow.start_date <= day,
            sa.or_(SanctionRow.end_date.is_(None), SanctionRow.end_date > day),
            sa.or_(SanctionRow.lifted_time.is_(None), SanctionRow.lifted_time > at),
        )
        if partner_id:
            query = query.where(SanctionRow.partner_id == partner_id)
        if kind is not None:
            query = query.where(SanctionRow.kind == kind.value)
        if after is not None:
            query = query.where(sa.tuple_(SanctionRow.start_date, SanctionRow.sanction_id) > sa.tuple_(*after))
        query = query.order_by(SanctionRow.start_date, SanctionRow.sanction_id).limit(limit)
        return [sanction_from_row(row) for row in await self._session.scalars(query)]

    async def started_by(self, day: date, *, partner_id: str, kind: SanctionKind | None) -> list[Sanction]:
        """Candidates for "in force on ``day``": started by then and not ended before it."""
        query = sa.select(SanctionRow).where(
            SanctionRow.start_date <= day,
            sa.or_(SanctionRow.end_date.is_(None), SanctionRow.end_date > day),
        )
        if partner_id:
            query = query.where(SanctionRow.partner_id == partner_id)
        if kind is not None:
            query = query.where(SanctionRow.kind == kind.value)
        rows = await self._session.scalars(query.order_by(SanctionRow.start_date, SanctionRow.sanction_id))
        return [sanction_from_row(row) for row in rows]


class ControlPurchaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, purchase: ControlPurchase) -> None:
        self._session.add(control_purchase_row(purchase))


class AgreedDiscountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, agreement: AgreedDiscount) -> None:
        self._session.add(agreed_discount_row(agreement))

    async def get(self, agreed_discount_id: str) -> AgreedDiscount | None:
        row = await self._session.get(AgreedDiscountRow, agreed_discount_id, with_for_update=True)
        return agreed_discount_from_row(row) if row is not None else None

    async def save(self, agreement: AgreedDiscount) -> None:
        row = await self._session.get(AgreedDiscountRow, agreement.agreed_discount_id)
        if row is None:
            raise LookupError(f"agreed discount {agreement.agreed_discount_id} was never added")
        copy_onto(row, agreed_discount_values(agreement))

    async def in_force(self, partner_id: str, on: date) -> list[AgreedDiscount]:
        """Agreements in force on ``on`` for this partner or for every partner (R-PRC-01)."""
        rows = await self._session.scalars(
            sa.select(AgreedDiscountRow).where(
                AgreedDiscountRow.valid_from <= on,
                AgreedDiscountRow.valid_until >= on,
                AgreedDiscountRow.partner_id.in_(("", partner_id)),
            )
        )
        return [agreed_discount_from_row(row) for row in rows]

    async def page(self, partner_id: str, on: date | None, *, offset: int, limit: int) -> list[AgreedDiscount]:
        """Agreements, newest first; only one partner's (and every partner's) and in force on a date when given."""
        query = sa.select(AgreedDiscountRow)
        if partner_id:
            query = query.where(AgreedDiscountRow.partner_id.in_(("", partner_id)))
        if on is not None:
            query = query.where(AgreedDiscountRow.valid_from <= on, AgreedDiscountRow.valid_until >= on)
        rows = await self._session.scalars(
            query.order_by(AgreedDiscountRow.recorded_time.desc(), AgreedDiscountRow.agreed_discount_id)
            .offset(offset)
            .limit(limit)
        )
        return [agreed_discount_from_row(row) for row in rows]


class PersonalDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, request: PersonalDataRequest) -> None:
        self._session.add(PersonalDataRequestRow(**pd_request_values(request)))

    async def get(self, pd_request_id: str, *, for_update: bool = False) -> PersonalDataRequest | None:
        row = await self._session.get(PersonalDataRequestRow, pd_request_id, with_for_update=for_update)
        return pd_request_from_row(row) if row is not None else None

    async def save(self, request: PersonalDataRequest) -> None:
        row = await self._session.get(PersonalDataRequestRow, request.pd_request_id)
        if row is None:
            raise LookupError(f"personal-data request {request.pd_request_id} was never added")
        copy_onto(row, pd_request_values(request))

    async def overdue(self, today: date, *, offset: int, limit: int) -> list[PersonalDataRequest]:
        rows = await self._session.scalars(
            sa.select(PersonalDataRequestRow)
            .where(
                PersonalDataRequestRow.state == PersonalDataRequestState.OPEN.value,
                PersonalDataRequestRow.due_date < today,
            )
            .order_by(
                PersonalDataRequestRow.due_date,
                PersonalDataRequestRow.received_date,
                PersonalDataRequestRow.pd_request_id,
            )
            .offset(offset)
            .limit(limit)
        )
        return [pd_request_from_row(row) for row in rows]

    async def erase_subject(self, subject: DataSubject, fingerprint: str) -> int:
        """Drop the person's identifiers from every other request naming them (R-PD-03).

        The requests stay (history), with empty identifiers and the one-way fingerprint.
        """
        matches = [
            column == value
            for column, value in (
                (PersonalDataRequestRow.subject_login, subject.login),
                (PersonalDataRequestRow.subject_email, subject.email),
                (PersonalDataRequestRow.subject_phone, subject.phone),
            )
            if value
        ]
        if not matches:
            return 0
        result = await self._session.execute(
            sa.update(PersonalDataRequestRow)
            .where(sa.or_(*matches))
            .values(subject_login="", subject_email="", subject_phone="", subject_fingerprint=fingerprint)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))
