"""The directory read model: partners with their ranking facts, badges, logins,
certificates and the sanctions the gateway enforces.

Writes are single statements that never collide with another consumer's write of the
same row at commit: rows are created with INSERT ... ON CONFLICT DO NOTHING (both
PostgreSQL and SQLite have it) and changed with UPDATE, which also serialises the
consumers of different producers on one partner's row.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_service.adapters.orm import (
    Base,
    DirectoryCompetencyRow,
    DirectoryPartnerRow,
    LoginCertificateRow,
    PartnerLoginRow,
    PartnerSanctionRow,
    RankingItemRow,
)
from gateway_service.domain.listing import ListedPartner, ListingSanction, SanctionPeriod
from ppcore.db import upsert_insert

_Partner = DirectoryPartnerRow
_Sanction = PartnerSanctionRow


def _table(row: type[Base]) -> sa.Table:
    return cast(sa.Table, row.__table__)


class DirectoryRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def _insert_ignore(self, table: sa.Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
        insert = upsert_insert(self._dialect, table)
        await self._session.execute(insert.values(**values).on_conflict_do_nothing(index_elements=list(keys)))

    # --- partners -----------------------------------------------------------------------

    async def ensure_partner(self, partner_id: str, now: datetime) -> None:
        await self._insert_ignore(_table(_Partner), {"partner_id": partner_id, "updated_at": now}, ["partner_id"])

    async def update_partner(self, partner_id: str, now: datetime, **values: Any) -> None:
        # No session synchronisation: rows are read with populate_existing, and evaluating
        # the criteria against every loaded row made a batch of N updates cost N squared.
        await self._session.execute(
            sa.update(_Partner)
            .where(_Partner.partner_id == partner_id)
            .values(updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )

    async def get(self, partner_id: str) -> DirectoryPartnerRow | None:
        result = await self._session.execute(
            sa.select(_Partner).where(_Partner.partner_id == partner_id).execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def stale_scores(self, policy_version: str, limit: int) -> list[DirectoryPartnerRow]:
        result = await self._session.execute(
            sa.select(_Partner)
            .where(_Partner.score_policy_version != policy_version)
            .order_by(_Partner.partner_id)
            .limit(limit)
        )
        return list(result.scalars())

    # --- badges and counted items -------------------------------------------------------

    async def add_competency(self, partner_id: str, code: str) -> None:
        await self._insert_ignore(
            _table(DirectoryCompetencyRow),
            {"partner_id": partner_id, "code": code},
            ["partner_id", "code"],
        )

    async def remove_competency(self, partner_id: str, code: str) -> None:
        await self._session.execute(
            sa.delete(DirectoryCompetencyRow).where(
                DirectoryCompetencyRow.partner_id == partner_id, DirectoryCompetencyRow.code == code
            )
        )

    async def add_ranking_item(self, partner_id: str, kind: str, item_id: str) -> int:
        """Count the item once; returns how many items of that kind the partner has."""
        await self._insert_ignore(
            _table(RankingItemRow),
            {"partner_id": partner_id, "kind": kind, "item_id": item_id},
            ["partner_id", "kind", "item_id"],
        )
        result = await self._session.execute(
            sa.select(sa.func.count())
            .select_from(RankingItemRow)
            .where(RankingItemRow.partner_id == partner_id, RankingItemRow.kind == kind)
        )
        return int(result.scalar_one())

    # --- logins and certificates (R-EMP-06) ----------------------------------------------

    async def attach_login(self, partner_id: str, login: str) -> None:
        await self._insert_ignore(
            _table(PartnerLoginRow),
            {"partner_id": partner_id, "login": login},
            ["partner_id", "login"],
        )

    async def detach_login(self, partner_id: str, login: str) -> None:
        await self._session.execute(
            sa.delete(PartnerLoginRow).where(PartnerLoginRow.partner_id == partner_id, PartnerLoginRow.login == login)
        )

    async def logins_of(self, partner_id: str) -> list[str]:
        result = await self._session.execute(
            sa.select(PartnerLoginRow.login).where(PartnerLoginRow.partner_id == partner_id)
        )
        return list(result.scalars())

    async def partners_of_login(self, login: str) -> list[str]:
        result = await self._session.execute(
            sa.select(PartnerLoginRow.partner_id).where(PartnerLoginRow.login == login)
        )
        return list(result.scalars())

    async def put_certificate(self, certificate_id: str, login: str, course_code: str, *, revoked: bool) -> None:
        table = _table(LoginCertificateRow)
        values = {"certificate_id": certificate_id, "login": login, "course_code": course_code, "revoked": revoked}
        await self._insert_ignore(table, values, ["certificate_id"])
        await self._session.execute(
            sa.update(LoginCertificateRow)
            .where(LoginCertificateRow.certificate_id == certificate_id)
            .values(revoked=revoked)
        )

    async def courses_by_login(self, logins: Iterable[str]) -> dict[str, frozenset[str]]:
        wanted = list(set(logins))
        if not wanted:
            return {}
        result = await self._session.execute(
            sa.select(LoginCertificateRow.login, LoginCertificateRow.course_code).where(
                LoginCertificateRow.login.in_(wanted), LoginCertificateRow.revoked.is_(False)
            )
        )
        held: dict[str, set[str]] = {}
        for login, course in result.all():
            held.setdefault(login, set()).add(course)
        return {login: frozenset(courses) for login, courses in held.items()}

    async def rename_login(self, login: str, pseudonym: str) -> list[str]:
        """R-PD-03: replace a login everywhere by a pseudonym; returns the partners it was attached to."""
        partners = await self.partners_of_login(login)
        await self._session.execute(
            sa.update(PartnerLoginRow).where(PartnerLoginRow.login == login).values(login=pseudonym)
        )
        await self._session.execute(
            sa.update(LoginCertificateRow).where(LoginCertificateRow.login == login).values(login=pseudonym)
        )
        return partners

    async def clear_phone(self, phone: str, now: datetime) -> None:
        await self._session.execute(sa.update(_Partner).where(_Partner.phone == phone).values(phone="", updated_at=now))

    # --- sanctions (R-SAN-05/06/07) -------------------------------------------------------

    async def put_sanction(self, sanction_id: str, partner_id: str, kind: str, period: SanctionPeriod) -> None:
        table = _table(PartnerSanctionRow)
        values = {
            "sanction_id": sanction_id,
            "partner_id": partner_id,
            "kind": kind,
            "start_date": period.start_date,
            "end_date": period.end_date,
            "lifted": period.lifted,
        }
        await self._insert_ignore(table, values, ["sanction_id"])
        await self._session.execute(
            sa.update(_Sanction)
            .where(_Sanction.sanction_id == sanction_id)
            .values(start_date=period.start_date, end_date=period.end_date, lifted=period.lifted)
        )

    async def sanctions_of(self, partner_id: str, kind: str) -> list[SanctionPeriod]:
        result = await self._session.execute(
            sa.select(_Sanction).where(_Sanction.partner_id == partner_id, _Sanction.kind == kind)
        )
        return [SanctionPeriod(row.start_date, row.end_date, row.lifted) for row in result.scalars()]

    # --- the listing (R-CARD-01/03, R-CMP-04, R-SAN-05/06) -------------------------------

    async def listing(
        self,
        *,
        today: date,
        competency_code: str,
        limit: int,
        after: tuple[float, str] | None = None,
        city_key: str = "",
        tiers: Sequence[str] = (),
    ) -> list[ListedPartner]:
        """One page of the listing, after the partner whose (score, partner_id) is ``after``
        (keyset: a range of ix_directory_partners_listing, however deep the page);
        ``tiers`` (when given) are the statuses admitted."""
        query = _listing_statement(bool(competency_code), bool(city_key), bool(tiers), after is not None)
        params: dict[str, Any] = {"today": today, "competency": competency_code, "limit": limit}
        if after is not None:
            params["after_score"], params["after_id"] = after
        if city_key:
            params["city"] = city_key
        if tiers:
            params["tiers"] = list(tiers)
        rows = (await self._session.execute(query, params)).mappings().all()
        return [_listed(row) for row in rows]


def _listed(row: Mapping[str, Any]) -> ListedPartner:
    codes = row["competency_codes"]
    badges = tuple(sorted(codes.split(_BADGE_SEPARATOR))) if codes else ()
    return ListedPartner(**{name: row[name] for name in _PAGE_COLUMNS}, competency_codes=badges)


# The listing statements are built once, with bound parameters: the directory is the
# public read path, and building the statement per call cost more than running it.
_p = _table(_Partner).c
_s = _table(_Sanction).c
_c = _table(DirectoryCompetencyRow).c
_LISTED_COLUMNS = (
    "partner_id",
    "company_name",
    "city",
    "tier",
    "description",
    "logo_ref",
    "phone",
    "office_address",
    "website_url",
    "score",
    "projects",
    "monitored_projects",
    "marketing_activity",
    "certified_employees",
    "active_points",
)
_PAGE_COLUMNS = (*_LISTED_COLUMNS, "listed_as_violator")
_BADGE_SEPARATOR = ","  # competency codes are policy identifiers: never a comma in one


def _in_force(kind: ListingSanction, partner_id: sa.ColumnElement[str]) -> sa.Exists:
    today = sa.bindparam("today", type_=sa.Date())
    return sa.exists().where(
        _s.partner_id == partner_id,
        _s.kind == kind.value,
        _s.lifted.is_(False),
        _s.start_date <= today,
        sa.or_(_s.end_date.is_(None), _s.end_date > today),
    )


_LISTED = (
    sa.select(*(_p[name] for name in _LISTED_COLUMNS))
    .where(
        _p.card_complete.is_(True),
        _p.terminated.is_(False),
        ~_in_force(ListingSanction.PUBLIC_LIST_EXCLUSION, _p.partner_id),
    )
    .order_by(_p.score.desc(), _p.partner_id)
    .limit(sa.bindparam("limit", type_=sa.Integer()))
)


def _page_of(listed: sa.Select[Any]) -> sa.Select[Any]:
    """The page's rows with their violator mark and badges, looked up after the limit for
    those rows only: one statement per page instead of a second one for the badges."""
    page = listed.subquery("page")
    badges = (
        sa.select(sa.func.aggregate_strings(_c.code, _BADGE_SEPARATOR))
        .where(_c.partner_id == page.c.partner_id)
        .scalar_subquery()
    )
    return sa.select(
        page,
        _in_force(ListingSanction.VIOLATORS_LIST, page.c.partner_id).label("listed_as_violator"),
        badges.label("competency_codes"),
    ).order_by(page.c.score.desc(), page.c.partner_id)


@functools.cache
def _listing_statement(by_competency: bool, by_city: bool, by_tiers: bool, after: bool) -> sa.Select[Any]:
    """The listing with the filters asked for, built once per combination."""
    query = _LISTED
    if after:  # the rows after the cursor in (score desc, partner_id) order
        score = sa.bindparam("after_score", type_=sa.Float())
        query = query.where(
            _p.score <= score,
            sa.or_(_p.score < score, _p.partner_id > sa.bindparam("after_id", type_=sa.String())),
        )
    if by_competency:
        query = query.where(
            sa.exists().where(_c.partner_id == _p.partner_id, _c.code == sa.bindparam("competency", type_=sa.String()))
        )
    if by_city:
        query = query.where(_p.city_key == sa.bindparam("city", type_=sa.String()))
    if by_tiers:
        query = query.where(_p.tier.in_(sa.bindparam("tiers", expanding=True)))
    return _page_of(query)
