"""CheckDiscountEntitlement (R-ENT-01/02) with 10,000 partners and 100,000 employees, vs echo.

The partners, their employees and the entitlement read table (one row per login and one
per partner, as the service writes them) are loaded with COPY. Callers ask by login
and for unknown buyers, for an eligible or an excluded product. The sales platform always
names the buyer (R-ENT-01): a check by partner id alone is a staff query, not this path.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from bench.harness import BenchContext, ScenarioResult
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.db import asyncpg_dsn
from status_service.__main__ import MIGRATIONS_DIR

SCALABLE = True  # runs at each --scale (partners)
DESCRIPTION = "CheckDiscountEntitlement, 10,000 partners / 100,000 employees (quick: 1,000/10,000) vs echo"

PARTNERS = 10_000
QUICK_PARTNERS = 1_000
EMPLOYEES_PER_PARTNER = 10
SAMPLE = 20_000
CHECK = "/partnerprogram.status.v1.StatusService/CheckDiscountEntitlement"
TIERS = ("BUSINESS", "CERTIFIED", "GOLD")
ROLES = ("FULL", "LIMITED", "CERTIFIED_SPECIALIST")
PARTNER_COLUMNS = (
    "partner_id",
    "application_id",
    "company_name",
    "legal_form",
    "city",
    "approved_date",
    "tier",
    "granted_date",
    "granted_at",
    "valid_until_date",
    "confirmations",
    "active_points",
    "active_points_date",
    "terminated_from",
    "termination_completed",
    "has_sanctions",
    "competency_codes",
    "document",
    "version",
)
EMPLOYEE_COLUMNS = ("login", "partner_id", "role", "access_groups", "attached_at")
ENTITLEMENT_COLUMNS = (
    "buyer_key",
    "partner_id",
    "tier",
    "role",
    "terminated_from",
    "contract_accepted",
    "contract_suspended",
    "discount_blocked",
    "blocked_until",
)


def _document(now: datetime) -> str:
    contract = {
        "contract_id": "c",
        "requisites": {
            "legal_name": "ТОВ",  # noqa: RUF001
            "legal_address": "Київ",
            "registration_code": "12345678",
            "iban": "UA" + "1" * 27,
            "signatory": "Олена",
        },
        "state": "ACCEPTED",
        "filed_time": now.isoformat(),
        "decided_time": now.isoformat(),
        "refusal_reason": "",
    }
    card = {"published": None, "published_revision_id": "", "pending": None}
    return json.dumps(
        {"card": card, "contract": contract, "termination": None, "competencies": [], "sanctions": [], "monitoring": {}}
    )


async def _load(url: str, partners: int) -> tuple[list[str], list[str]]:
    """COPY partners, employees and entitlement rows; returns (partner ids, logins)."""
    now = datetime(2026, 11, 25, tzinfo=UTC)
    today = date(2026, 11, 25)
    document = _document(now)
    partner_ids = [f"p{i:06d}" for i in range(partners)]
    partner_rows: list[tuple[Any, ...]] = []
    employee_rows: list[tuple[Any, ...]] = []
    entitlement_rows: list[tuple[Any, ...]] = []
    logins: list[str] = []
    for i, pid in enumerate(partner_ids):
        tier = TIERS[i % 3]
        blocked = i % 50 == 0  # some partners under a discount block (R-SAN-07)
        partner_rows.append(
            (pid, f"a{i}", f"Partner {i}", "LEGAL_ENTITY", "Kyiv", today, tier, today, now, None, 0, 0, None, None,
             False, blocked, ",", document, 1)
        )  # fmt: skip
        common = (pid, tier)
        flags = (None, True, False, blocked, date(2027, 1, 1) if blocked else None)
        entitlement_rows.append((f"p:{pid}", *common, "", *flags))
        for j in range(EMPLOYEES_PER_PARTNER):
            login = f"u{i:06d}-{j}"
            role = "MAIN" if j == 0 else ROLES[j % 3]
            logins.append(login)
            employee_rows.append((login, pid, role, "", now))
            entitlement_rows.append((f"l:{login}", *common, role, *flags))
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.copy_records_to_table("partners", records=partner_rows, columns=PARTNER_COLUMNS)
        await connection.copy_records_to_table("employees", records=employee_rows, columns=EMPLOYEE_COLUMNS)
        await connection.copy_records_to_table("entitlements", records=entitlement_rows, columns=ENTITLEMENT_COLUMNS)
        await connection.execute("ANALYZE partners; ANALYZE employees; ANALYZE entitlements")
    finally:
        await connection.close()
    return partner_ids, logins


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261125)
    count = ctx.partners(PARTNERS, QUICK_PARTNERS)
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        _, logins = await _load(url, count)
        families = ("SITE_MANAGEMENT", "SITE_MANAGEMENT", "SOLUTIONS", "BITRIX24_CLOUD")
        requests = [
            pb.CheckDiscountEntitlementRequest(buyer_login=login, product_family=rng.choice(families))
            for login in rng.sample(logins, min(SAMPLE, len(logins)))
        ]
        requests += [
            pb.CheckDiscountEntitlementRequest(buyer_login=f"nobody-{n}", product_family="SITE_MANAGEMENT")
            for n in range(SAMPLE // 10)
        ]
        rng.shuffle(requests)
        async with ctx.cached_and_uncached("status_service", "STATUS", {"DATABASE_URL": url}) as (address, uncached):
            scenario = await ctx.compare_frames_with_echo(
                "status_check_discount_entitlement", address, CHECK, requests, cpu_goal=1.25, uncached_address=uncached
            )
        scenario.metrics["partners"] = float(count)
        scenario.metrics["employees"] = float(count * EMPLOYEES_PER_PARTNER)
        return scenario
