"""A partner's active total at any instant (R-PTS-04/05): one indexed SUM, outside any unit of work.

Disputes and the partner cabinet ask for it often, and the query itself takes a fraction
of a millisecond (index-only on (partner_id, accrued_at) INCLUDE (expires_at, amount)).
On PostgreSQL it runs on a small asyncpg pool as a prepared statement
(:mod:`ppcore.hot_reads`), since an ORM session and its transaction would cost several
times the query; SQLite goes through the engine.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from points_service.adapters.orm import Hundredths, LedgerEntryRow
from points_service.domain.amounts import ZERO, to_points
from ppcore.db import Database
from ppcore.hot_reads import HotReadPool

_ACTIVE = sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(LedgerEntryRow.amount), 0), Hundredths())).where(
    LedgerEntryRow.partner_id == sa.bindparam("partner_id"),
    LedgerEntryRow.accrued_at <= sa.bindparam("at"),
    LedgerEntryRow.expires_at > sa.bindparam("at"),
)
_PG_ACTIVE = (
    "SELECT coalesce(sum(amount), 0)::bigint FROM ledger_entries"
    " WHERE partner_id = $1 AND accrued_at <= $2 AND expires_at > $2"
)
_HUNDRED = Decimal(100)


class ActiveTotalReader:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._pool = HotReadPool(db.url, max_size=db.hot_read_pool_size) if db.is_postgres else None

    async def at(self, partner_id: str, at: datetime) -> Decimal:
        """R-PTS-04/05: the sum of the entries with accrued_at <= at < expires_at."""
        if self._pool is not None:
            hundredths = await self._pool.fetchval(_PG_ACTIVE, partner_id, at)
            return to_points(Decimal(hundredths) / _HUNDRED)
        async with self._db.engine.connect() as connection:
            total = await connection.scalar(_ACTIVE, {"partner_id": partner_id, "at": at})
        return to_points(total or ZERO)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
