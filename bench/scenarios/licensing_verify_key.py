"""VerifyKey (R-NFR-10) against a registry of 1,000,000 keys, compared with the echo reference.

The keys are generated with the service's own key format and loaded with COPY (asyncpg
``copy_records_to_table``); callers verify keys drawn at random from the registry, with
one in ten unknown, so the primary-key look-up is exercised across the whole table.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import asyncpg

from bench.harness import BenchContext, ScenarioResult
from licensing_service.__main__ import MIGRATIONS_DIR
from licensing_service.domain import LicenseKey
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from ppcore.db import asyncpg_dsn

SCALABLE = True  # runs at each --scale (partners)
DESCRIPTION = "VerifyKey on 1,000,000 registered keys, 10 per partner (quick: 20,000) vs the echo reference"

KEYS_PER_PARTNER = 10
PARTNERS = 100_000
QUICK_PARTNERS = 2_000
SAMPLE = 20_000
VERIFY_KEY = "/partnerprogram.licensing.v1.LicensingService/VerifyKey"
COLUMNS = (
    "key",
    "kind",
    "edition",
    "owner_id",
    "activated",
    "demo",
    "revoked",
    "valid_until",
    "grant_id",
    "registered_at",
    "updated_at",
)


async def _load_keys(url: str, count: int, rng: random.Random) -> list[str]:
    """COPY ``count`` activated commercial keys; returns them all."""
    now = datetime(2026, 11, 25, tzinfo=UTC)
    until = date(2030, 1, 1)
    keys = [LicenseKey.generate(rng.randbytes).value for _ in range(count)]
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        batch = 100_000
        for start in range(0, count, batch):
            records = [
                (
                    key,
                    "COMMERCIAL",
                    "SM_START",
                    f"client-{i // KEYS_PER_PARTNER}",
                    True,
                    False,
                    False,
                    until,
                    None,
                    now,
                    now,
                )
                for i, key in enumerate(keys[start : start + batch], start)
            ]
            await connection.copy_records_to_table("license_keys", records=records, columns=COLUMNS)
        await connection.execute("ANALYZE license_keys")
    finally:
        await connection.close()
    return keys


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261125)
    count = ctx.partners(PARTNERS, QUICK_PARTNERS) * KEYS_PER_PARTNER
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        keys = await _load_keys(url, count, rng)
        sample = rng.sample(keys, min(SAMPLE, len(keys)))
        unknown = [LicenseKey.generate(rng.randbytes).value for _ in range(len(sample) // 10)]
        requests = [pb.VerifyKeyRequest(key=key) for key in sample + unknown]
        rng.shuffle(requests)
        async with ctx.cached_and_uncached("licensing_service", "LICENSING", {"DATABASE_URL": url}) as (
            address,
            uncached,
        ):
            scenario = await ctx.compare_frames_with_echo(
                "licensing_verify_key", address, VERIFY_KEY, requests, cpu_goal=1.25, uncached_address=uncached
            )
        scenario.metrics["registered_keys"] = float(count)
        scenario.metrics["partners"] = float(count // KEYS_PER_PARTNER)
        return scenario
