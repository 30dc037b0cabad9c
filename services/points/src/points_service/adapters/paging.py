"""The one shape of a points List query: a page of one table, optionally of one partner
and in one state, in a fixed order, with one row more to tell whether another page follows."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute


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
