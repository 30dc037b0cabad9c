"""ListDirectory (R-CARD-03, R-CMP-04, R-SAN-05) over 10,000 partners in the gateway's read model, vs echo.

The read model (partners with scores, competency badges, exclusion and violators-list
sanctions) is loaded with INSERT ... SELECT generate_series, as the consumers would have
built it. Anonymous callers ask for the first pages of the whole list and of one
competency: one indexed query per page, never a fan-out per partner.
"""

from __future__ import annotations

import random
from typing import Any

import asyncpg

from bench.harness import BenchContext, ScenarioResult
from gateway_service.__main__ import MIGRATIONS_DIR
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as pb_grpc
from ppcore.db import asyncpg_dsn
from ppcore.policy import load_policy

SCALABLE = True  # runs at each --scale (partners)
DESCRIPTION = "ListDirectory pages, uncached, 10,000 partners (quick: 1,000) from the read model vs echo"

PARTNERS = 10_000
QUICK_PARTNERS = 1_000
COMPETENCIES = ("COMPOSITE_SITE", "INTEGRATION_1C", "PHP_HOSTING", "SYSTEM_ADMINISTRATION")

_LOAD = """
INSERT INTO directory_partners (partner_id, company_name, city, tier, description, logo_ref, phone,
    office_address, website_url, card_complete, terminated, projects, monitored_projects,
    marketing_activity, certified_employees, active_points, score, score_policy_version, updated_at)
SELECT 'p' || lpad(i::text, 6, '0'), 'Partner ' || i, 'Kyiv',
    (ARRAY['BUSINESS', 'CERTIFIED', 'GOLD'])[1 + i % 3], 'Sites', 'logo.png', '+380440000000',
    'Kyiv', 'https://p' || i || '.example', i % 10 <> 0, i % 97 = 0, i % 7, i % 3, i % 5, i % 4,
    (i * 37) % 800, ((i * 7919) % 100000) / 100.0, $2, now()
FROM generate_series(1, $1) AS i;
INSERT INTO directory_competencies (partner_id, code)
SELECT 'p' || lpad(i::text, 6, '0'), (ARRAY['COMPOSITE_SITE', 'INTEGRATION_1C', 'PHP_HOSTING',
    'SYSTEM_ADMINISTRATION'])[1 + i % 4]
FROM generate_series(1, $1) AS i;
INSERT INTO partner_sanctions (sanction_id, partner_id, kind, start_date, end_date, lifted)
SELECT 's' || i, 'p' || lpad(i::text, 6, '0'),
    CASE WHEN i % 2 = 0 THEN 'PUBLIC_LIST_EXCLUSION' ELSE 'VIOLATORS_LIST' END, date '2026-01-01', NULL, false
FROM generate_series(1, $1, 50) AS i;
"""


async def _load(url: str, partners: int) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # Scored with the policy in force, as the consumers leave it: the steady state, not
        # the one-off rescoring after a policy change.
        version = load_policy().version
        for statement in filter(str.strip, _LOAD.split(";")):
            await connection.execute(statement, partners, *((version,) if "$2" in statement else ()))
        await connection.execute(
            "ANALYZE directory_partners; ANALYZE directory_competencies; ANALYZE partner_sanctions"
        )
    finally:
        await connection.close()


async def _page_tokens(stub: Any, competency: str, pages: int) -> list[str]:
    """The tokens of the first ``pages`` pages of 20 (page 1: no token), by walking them:
    keyset tokens carry the last row's sort key, so a caller cannot make one up."""
    tokens = [""]
    while len(tokens) < pages:
        reply = await stub.ListDirectory(
            pb.ListDirectoryRequest(competency_code=competency, page_size=20, page_token=tokens[-1]), timeout=30
        )
        if not reply.next_page_token:
            break
        tokens.append(reply.next_page_token)
    return tokens


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261125)
    count = ctx.partners(PARTNERS, QUICK_PARTNERS)
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        await _load(url, count)
        # Uncached: every call reads the read model (the seconds-long page cache is off).
        env = {"DATABASE_URL": url, "DIRECTORY_CACHE_SECONDS": "0"}
        async with ctx.service_process("gateway_service", "GATEWAY", env) as address:
            channels = ctx.channels(address)
            stubs = [pb_grpc.GatewayServiceStub(channel) for channel in channels]
            tokens = {code: await _page_tokens(stubs[0], code, 6) for code in ("", *COMPETENCIES)}
            requests = []
            for _ in range(1_000):
                code = rng.choice(("", "", *COMPETENCIES))
                page = min(rng.choice((0, 0, 0, 1, 2, 5)), len(tokens[code]) - 1)
                requests.append(
                    pb.ListDirectoryRequest(competency_code=code, page_size=20, page_token=tokens[code][page])
                )

            async def call(i: int) -> Any:
                return await stubs[i % len(stubs)].ListDirectory(requests[i % len(requests)], timeout=10)

            scenario = await ctx.compare_with_echo("gateway_list_directory", call, address)
            for channel in channels:
                await channel.close()
        scenario.metrics["partners"] = float(count)
        return scenario
