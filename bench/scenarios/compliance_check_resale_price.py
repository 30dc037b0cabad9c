"""CheckResalePrice (R-PRC-01/02), the sales platform's hot path, vs the echo reference.

Callers check resale prices of every catalogue edition for 1,000 partners. Almost every
price is at or above list (answered from the policy in memory, no database read); one
in 200 is below list, on a pool of 500 orders, so the first check of an order opens its
dumping incident and later ones find it by the order's unique index.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg

from bench.harness import BenchContext, ScenarioResult
from compliance_service.__main__ import MIGRATIONS_DIR
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from ppcore.db import asyncpg_dsn
from ppcore.policy import load_policy

DESCRIPTION = "CheckResalePrice (0.5% below list, once per order) vs the echo reference"
CHECK_RESALE_PRICE = "/partnerprogram.compliance.v1.ComplianceService/CheckResalePrice"

PARTNERS = 1_000
ORDERS = 500
REQUESTS = 20_000
BELOW_LIST_EVERY = 200


async def _load_partners(url: str) -> list[str]:
    partners = [f"partner-{i:05d}" for i in range(PARTNERS)]
    approved = datetime(2026, 1, 1, tzinfo=UTC)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.copy_records_to_table(
            "partners",
            records=[(p, approved, None) for p in partners],
            columns=("partner_id", "approved_at", "terminated_on"),
        )
    finally:
        await connection.close()
    return partners


def _requests(partners: list[str], rng: random.Random) -> list[pb.CheckResalePriceRequest]:
    editions = [(e.code, e.price_uah) for e in load_policy().editions]
    requests = []
    for i in range(REQUESTS):
        code, list_price = rng.choice(editions)
        below = i % BELOW_LIST_EVERY == 0
        order = rng.randrange(ORDERS) if below else i
        price = list_price * Decimal("0.9") if below else list_price + rng.randrange(0, 1000)
        requests.append(
            pb.CheckResalePriceRequest(
                request_id=f"check-{i}",
                partner_id=partners[order % len(partners)] if below else rng.choice(partners),
                edition_code=code,
                price_uah=str(price),
                currency="UAH",
                order_id=f"order-{order}" if below else f"order-ok-{i}",
            )
        )
    return requests


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261125)
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        requests = _requests(await _load_partners(url), rng)
        async with ctx.service_process("compliance_service", "COMPLIANCE", {"DATABASE_URL": url}) as address:
            scenario = await ctx.compare_frames_with_echo(
                "compliance_check_resale_price", address, CHECK_RESALE_PRICE, requests, cpu_goal=1.25
            )
        scenario.metrics["below_list_share"] = 1 / BELOW_LIST_EVERY
        return scenario
