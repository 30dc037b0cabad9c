"""The discount check (R-ENT-01/02, R-STS-06): one primary-key read of the entitlement table.

The hot path of the suite. No ORM session, no unit of work: one pooled connection, one
prepared ``SELECT`` by primary key, then the pure decision. On PostgreSQL it branches
deliberately to a small asyncpg pool with a prepared statement (SQLAlchemy's per-call
overhead cost more than the query itself), and checks arriving together share one read
(``ppcore.batched_reads``: a read sent after each of them arrived); SQLite goes through
the engine. Rows read are kept in memory until PostgreSQL notifies their change
(``ppcore.notified_cache``: the entitlements table's triggers name the buyer keys a
statement changed), so a repeated check costs no round trip and reflects every change
whose notification has arrived, whichever replica made it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ppcore.batched_reads import BatchedKeyRead
from ppcore.db import Database
from ppcore.hot_reads import HotReadPool
from ppcore.notified_cache import CachedKeyRead, notified_cache
from ppcore.policy import ProgramPolicy, Tier
from status_service.adapters.orm import ENTITLEMENTS_CHANNEL, EntitlementRow
from status_service.adapters.policy_in_force import PolicyInForce
from status_service.adapters.repositories import login_key, partner_key
from status_service.domain.entitlement import EntitlementDecision, EntitlementSnapshot, check_discount_entitlement
from status_service.domain.enums import Role

_T = EntitlementRow.__table__
_SELECT = sa.select(
    _T.c.partner_id,
    _T.c.tier,
    _T.c.role,
    _T.c.terminated_from,
    _T.c.contract_accepted,
    _T.c.contract_suspended,
    _T.c.discount_blocked,
    _T.c.blocked_until,
).where(_T.c.buyer_key == sa.bindparam("key"))

# Look-ups arriving together are read by one query (ppcore.batched_reads).
_PG_SELECT = (
    "SELECT buyer_key, partner_id, tier, role, terminated_from, contract_accepted, contract_suspended,"
    " discount_blocked, blocked_until FROM entitlements WHERE buyer_key = ANY($1)"
)

_TIERS = {t.value: t for t in Tier}
_ROLES = {r.value: r for r in Role}


class EntitlementReader:
    def __init__(self, db: Database, policy: ProgramPolicy) -> None:
        self._db = db
        # R-POL-01: the discount follows the policy version in force on the day asked about.
        self.policy = PolicyInForce(db, policy)
        self._pool = HotReadPool(db.url, max_size=db.hot_read_pool_size) if db.is_postgres else None
        self._cache = notified_cache(db, ENTITLEMENTS_CHANNEL, name="entitlements")
        self._batched = BatchedKeyRead(self._pool, _PG_SELECT, key_column="buyer_key") if self._pool else None
        self._reads = CachedKeyRead(self._batched.fetchrow, self._cache) if self._batched else None

    async def _fetch(self, key: str) -> Any:
        if not self._db.is_postgres:
            async with self._db.engine.connect() as conn:
                row = (await conn.execute(_SELECT, {"key": key})).first()
            return row._mapping if row is not None else None
        assert self._reads is not None
        return await self._reads.fetchrow(key)

    async def close(self) -> None:
        if self._cache is not None:
            await self._cache.close()
        if self._batched is not None:
            await self._batched.close()
        if self._pool is not None:
            await self._pool.close()

    async def check(self, buyer_login: str, partner_id: str, product_family: str, today: date) -> EntitlementDecision:
        key = login_key(buyer_login) if buyer_login else partner_key(partner_id)
        row = await self._fetch(key)
        snapshot = None
        if row is not None:
            blocked = row["discount_blocked"] and (row["blocked_until"] is None or today < row["blocked_until"])
            snapshot = EntitlementSnapshot(
                partner_id=row["partner_id"],
                tier=_TIERS[row["tier"]],
                terminated=row["terminated_from"] is not None and today >= row["terminated_from"],
                contract_accepted=row["contract_accepted"],
                contract_suspended=row["contract_suspended"],
                discount_blocked=blocked,
                discount_blocked_until=row["blocked_until"] if blocked else None,
                buyer_role=_ROLES[row["role"]] if row["role"] else None,
            )
        policy = await self.policy.on(today)
        return check_discount_entitlement(snapshot, product_family, policy, staff_query=not buyer_login)
