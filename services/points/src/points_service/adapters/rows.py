"""What every points repository of a one-row aggregate shares: get, add and save by the
row's primary key, and the one shape of a List query (a page of one table, optionally of
one partner and in one state, with one row more to tell whether another page follows)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ppcore.uow import Touched, untouched

T = TypeVar("T")


class RowRepository(Generic[T]):
    """An aggregate kept in one row of ``row``: a subclass says how it maps to the row's
    columns (``_values``) and back (``_from_row``)."""

    row: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession, touched: Touched = untouched) -> None:
        self._session = session
        self._touched = touched  # the unit of work announces every partner written (PartnerDataChanged)

    def _values(self, item: T) -> dict[str, Any]:
        raise NotImplementedError

    def _from_row(self, row: Any) -> T:
        raise NotImplementedError

    async def get(self, key: str) -> T | None:
        row = await self._session.get(self.row, key)
        return self._from_row(row) if row is not None else None

    async def add(self, item: T) -> None:
        values = self._values(item)
        self._touched(values.get("partner_id") or "")
        self._session.add(self.row(**values))

    async def save(self, item: T) -> None:
        values = self._values(item)
        self._touched(values.get("partner_id") or "")
        mapper = sa.inspect(self.row)
        (key,) = mapper.primary_key
        attribute = mapper.get_property_by_column(key).key
        await self._session.execute(sa.update(self.row).where(key == values[attribute]).values(**values))


def page_query(
    row: type[Any],
    order_by: Iterable[sa.ColumnElement[Any] | InstrumentedAttribute[Any]],
    *,
    offset: int,
    limit: int,
    partner_id: str | None = None,
    state: Enum | None = None,
    where: Iterable[sa.ColumnElement[bool]] = (),
) -> sa.Select[Any]:
    query = sa.select(row).where(*where)
    if partner_id:
        query = query.where(row.partner_id == partner_id)
    if state is not None:
        query = query.where(row.state == state.value)
    return query.order_by(*order_by).offset(offset).limit(limit + 1)
