"""SimulatePolicyChange (R-POL-01) over 10,000 partners (quick: 1,000): "a few seconds".

Partners, their three specialists each and the specialists' certificates of every course
are bulk-loaded with INSERT ... SELECT generate_series (a third Gold, a third Certified, a
third Business; active points spread so that Gold at 600 changes some). The service runs
as its own process; the candidate is the policy file with Gold at 600 points, simulated a
year ahead so that every anniversary falls inside. Timed through the RPC.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import grpc
import yaml

from bench.harness import BenchContext, Goal, ScenarioResult
from partnerprogram.status.v1 import status_service_pb2 as pb
from partnerprogram.status.v1 import status_service_pb2_grpc as pb_grpc
from ppcore.db import asyncpg_dsn
from ppcore.policy import DEFAULT_POLICY_PATH, load_policy
from status_service.__main__ import MIGRATIONS_DIR
from status_service.adapters import codec
from status_service.domain.application import ApplicantData, submit_application
from status_service.domain.enums import Activity, LegalForm
from status_service.domain.lifecycle import approve_application

DESCRIPTION = "SimulatePolicyChange (Gold at 600) over 10,000 partners, facts set-based"

PARTNERS, QUICK_PARTNERS = 10_000, 1_000
GRANTED = date(2026, 3, 2)
RUNS = 3
GOAL_SECONDS = 5.0


def _documents() -> tuple[str, str]:
    """A real partner document (through the codec), without and with a monitored project."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    data = ApplicantData(
        legal_form=LegalForm.LEGAL_ENTITY,
        company_name="Bench LLC",
        city="Kyiv",
        contact_name="Bench",
        contact_email="bench@example.ua",
        contact_phone="+380 44 000 0000",
        activities=frozenset({Activity.WEB_PROJECTS}),
        applicant_login="bench",
        personal_data_consent=True,
    )
    _, partner = approve_application(submit_application("a0", data, now), "p0", now, load_policy())

    def document(monitoring: dict[str, date]) -> str:
        return json.dumps(
            {
                "card": codec.card_to_json(partner.card),
                "contract": None,
                "termination": None,
                "competencies": [],
                "sanctions": [],
                "monitoring": codec.monitoring_to_json(monitoring),
            }
        )

    return document({}), document({"prj": date(2026, 2, 1)})


async def _load(connection: asyncpg.Connection, partners: int) -> float:
    started = time.perf_counter()
    plain, monitored = _documents()
    await connection.execute(
        """
        INSERT INTO partners (partner_id, application_id, company_name, legal_form, city, city_key, approved_date,
            tier, granted_date, granted_at, valid_until_date, confirmations, active_points, active_points_date,
            terminated_from, termination_completed, has_sanctions, competency_codes, document, version)
        SELECT 'p' || lpad(i::text, 6, '0'), 'a' || i, 'Bench ' || i, 'LEGAL_ENTITY', 'Kyiv', 'kyiv', $2::date,
               CASE i % 3 WHEN 0 THEN 'GOLD' WHEN 1 THEN 'CERTIFIED' ELSE 'BUSINESS' END, $2::date, $3::timestamptz,
               CASE WHEN i % 3 = 2 THEN NULL ELSE $4::date END, 0,
               CASE i % 3 WHEN 0 THEN 500 + i % 200 WHEN 1 THEN 100 + i % 300 ELSE i % 100 END, $2::date,
               NULL, false, false, ',', (CASE WHEN i % 3 = 0 THEN $5::text ELSE $6::text END)::json, 1
        FROM generate_series(0, $1 - 1) AS i
        """,
        partners,
        GRANTED,
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        date(2027, 3, 2),
        monitored,
        plain,
    )
    await connection.execute(
        """
        INSERT INTO employees (login, partner_id, role, access_groups, attached_at)
        SELECT 'p' || lpad(i::text, 6, '0') || '-e' || n, 'p' || lpad(i::text, 6, '0'), 'CERTIFIED_SPECIALIST', '', $2
        FROM generate_series(0, $1 - 1) AS i, generate_series(0, 2) AS n
        """,
        partners,
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    await connection.execute(
        """
        INSERT INTO certificates (certificate_id, login, course_code, issued_date, revoked_at, revoke_reason)
        SELECT e.login || '-' || c, e.login, c, $1, NULL, '' FROM employees AS e, unnest($2::text[]) AS c
        """,
        date(2026, 2, 1),
        list(load_policy().course_codes()),
    )
    await connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _gold_at_600() -> str:
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    raw["version"] = "bench-gold-600"
    raw["statuses"]["gold"]["min_active_points"] = 600
    return yaml.safe_dump(raw, allow_unicode=True)


async def run(ctx: BenchContext) -> ScenarioResult:
    partners = int(os.environ.get("STATUS_BENCH_PARTNERS", QUICK_PARTNERS if ctx.options.quick else PARTNERS))
    request = pb.SimulatePolicyChangeRequest(policy_document=_gold_at_600(), as_of_date="2027-03-02")
    async with ctx.pg_database() as url:
        await ctx.migrate(MIGRATIONS_DIR, url)
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            load_seconds = await _load(connection, partners)
        finally:
            await connection.close()
        async with ctx.service_process("status_service", "STATUS", {"DATABASE_URL": url}) as address:
            channel = grpc.aio.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20)])
            stub = pb_grpc.StatusServiceStub(channel)
            metadata = ctx.tokens.metadata(ctx.tokens.staff())
            seconds: list[float] = []
            cpu: list[float] = []
            meter = ctx.cpu_meter(address)
            answer = pb.SimulatePolicyChangeResponse()
            for _ in range(RUNS):
                cpu_before = meter() if meter else 0.0
                started = time.perf_counter()
                answer = await stub.SimulatePolicyChange(request, metadata=metadata, timeout=600)
                seconds.append(time.perf_counter() - started)
                cpu.append(meter() - cpu_before if meter else 0.0)
            await channel.close()
    median = statistics.median(seconds)
    metrics: dict[str, Any] = {
        "partners": float(partners),
        "load_seconds": load_seconds,
        "simulate_seconds_median": median,
        "simulate_seconds_max": max(seconds),
        # The status process's CPU per simulation: holds on a busy machine, where seconds do not
        # (PostgreSQL's share of the three queries is not in it).
        "server_cpu_seconds_median": statistics.median(cpu),
        "evaluated_partners": float(answer.evaluated_partners),
        "differing_partners": float(len(answer.partners)),
    }
    return ScenarioResult(
        name="status_simulate_policy",
        metrics=metrics,
        goals=[
            Goal(
                f"{partners} partners simulated in <= {GOAL_SECONDS:.0f} s",
                median <= GOAL_SECONDS and answer.evaluated_partners == partners,
                f"{median:.2f} s median of {RUNS} ({statistics.median(cpu):.2f} s status CPU), "
                f"{len(answer.partners)} partners differ",
            )
        ],
    )
