"""GetPartnerCabinet, the whole partner view (R-CARD-04), with all five processes on PostgreSQL, vs echo.

Status, points, licensing, compliance and the gateway run as their own processes, each on
its own PostgreSQL database and one nats-server, exactly as in production. Partners are
onboarded through the status API (application, approval, contract accepted), so the
other services learn of them from events. Staff then ask for random partners' views: one
call fans out to twelve section reads over the four backends in parallel. In the same run
each backend's slowest section read is loaded alone, so the view's p99 can be set beside
the slowest backend's p99 (the goal: at most that plus 10 ms), and echo is the reference.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import grpc

from bench.harness import BenchContext, Goal, ScenarioResult
from compliance_service.__main__ import MIGRATIONS_DIR as COMPLIANCE_MIGRATIONS
from gateway_service.__main__ import MIGRATIONS_DIR as GATEWAY_MIGRATIONS
from licensing_service.__main__ import MIGRATIONS_DIR as LICENSING_MIGRATIONS
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as pb_grpc
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from points_service.__main__ import MIGRATIONS_DIR as POINTS_MIGRATIONS
from status_service.__main__ import MIGRATIONS_DIR as STATUS_MIGRATIONS

DESCRIPTION = "GetPartnerCabinet fan-out, five processes on PostgreSQL, 50 partners (quick: 10) vs echo"

PARTNERS = 50
QUICK_PARTNERS = 10
SLACK_MS = 10.0  # the view may add this much to the slowest backend's p99
MIN_ECHO_RATIO = 0.3

_BACKENDS = (
    ("status", "status_service", "STATUS", STATUS_MIGRATIONS),
    ("points", "points_service", "POINTS", POINTS_MIGRATIONS),
    ("licensing", "licensing_service", "LICENSING", LICENSING_MIGRATIONS),
    ("compliance", "compliance_service", "COMPLIANCE", COMPLIANCE_MIGRATIONS),
)


@asynccontextmanager
async def _suite(ctx: BenchContext) -> AsyncIterator[dict[str, str]]:
    """The five processes, each on a fresh database; yields their addresses."""
    async with AsyncExitStack() as stack:
        addresses: dict[str, str] = {}
        urls: dict[str, str] = {}
        for name, _module, _prefix, migrations in (*_BACKENDS, ("gateway", "", "", GATEWAY_MIGRATIONS)):
            urls[name] = await stack.enter_async_context(ctx.pg_database())
            await ctx.migrate(migrations, urls[name])
        # The backends only need each other's addresses for their own calls; start them first.
        ports = {name: f"127.0.0.1:{port}" for name, port in ctx.reserve_ports([n for n, *_ in _BACKENDS]).items()}
        for name, module, prefix, _migrations in _BACKENDS:
            env = {"DATABASE_URL": urls[name], **{f"{other.upper()}_ADDRESS": ports[other] for other in ports}}
            addresses[name] = await stack.enter_async_context(
                ctx.service_process(module, prefix, env, port=int(ports[name].rsplit(":", 1)[1]))
            )
        gateway_env = {"DATABASE_URL": urls["gateway"], "HTTP_PORT": "0"}
        gateway_env |= {f"{name.upper()}_ADDRESS": address for name, address in addresses.items()}
        addresses["gateway"] = await stack.enter_async_context(
            ctx.service_process("gateway_service", "GATEWAY", gateway_env)
        )
        yield addresses


async def _onboard(status: Any, ctx: BenchContext, i: int) -> str:
    login = f"bench{i}"
    staff = ctx.tokens.metadata(ctx.tokens.staff())
    system = ctx.tokens.metadata(ctx.tokens.system())
    data = partner_pb2.ApplicantData(
        legal_form=partner_pb2.LEGAL_FORM_LEGAL_ENTITY,
        company_name=f"Bench studio {i}",
        city="Kyiv",
        contact_name="Olena",
        contact_email=f"{login}@example.ua",
        contact_phone="+380 44 123 4567",
        activities=[partner_pb2.ACTIVITY_WEB_PROJECTS],
        applicant_login=login,
        personal_data_consent=True,
    )
    created = await status.CreateApplication(
        status_pb.CreateApplicationRequest(request_id=f"app-{login}", data=data), metadata=system
    )
    approved = await status.ApproveApplication(
        status_pb.ApproveApplicationRequest(
            request_id=f"ok-{login}", application_id=created.application.application_id
        ),
        metadata=staff,
    )
    partner_id = str(approved.partner.partner_id)
    filed = await status.FileContractApplication(
        status_pb.FileContractApplicationRequest(
            request_id=f"contract-{login}",
            partner_id=partner_id,
            requisites=partner_pb2.ContractRequisites(
                legal_name="ТОВ Вебстудія",  # noqa: RUF001 - the requisites are in Ukrainian (R-PRT-05)
                legal_address="м. Київ, вул. Хрещатик, 1",
                registration_code="12345678",
                iban="UA" + "1" * 27,
                signatory="Олена Петренко",
            ),
            actor_login=login,
        ),
        metadata=system,
    )
    await status.AcceptContractApplication(
        status_pb.AcceptContractApplicationRequest(
            request_id=f"accept-{login}", partner_id=partner_id, contract_id=filed.contract.contract_id
        ),
        metadata=staff,
    )
    return partner_id


async def _until_complete(view: Callable[[str], Awaitable[Any]], partner_ids: list[str]) -> None:
    """Points and compliance learn of partners from events: wait until every view is whole."""
    for partner_id in partner_ids:
        for _ in range(600):
            if not (await view(partner_id)).cabinet.partial:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"the view of {partner_id} stayed partial")


async def run(ctx: BenchContext) -> ScenarioResult:
    rng = random.Random(20261201)
    count = QUICK_PARTNERS if ctx.options.quick else PARTNERS
    staff = ctx.tokens.metadata(ctx.tokens.staff())
    async with _suite(ctx) as addresses:
        async with grpc.aio.insecure_channel(addresses["status"]) as channel:
            status: Any = status_grpc.StatusServiceStub(channel)
            partner_ids = [await _onboard(status, ctx, i) for i in range(count)]
        picks = [rng.choice(partner_ids) for _ in range(1_000)]
        loads = {}
        channels: dict[str, list[grpc.aio.Channel]] = {name: ctx.channels(a) for name, a in addresses.items()}
        gateway = [pb_grpc.GatewayServiceStub(c) for c in channels["gateway"]]

        async def view_of(partner_id: str, i: int = 0) -> Any:
            request = pb.GetPartnerCabinetRequest(partner_id=partner_id)
            return await gateway[i % len(gateway)].GetPartnerCabinet(request, metadata=staff, timeout=10)

        await _until_complete(view_of, partner_ids)

        async def view(i: int) -> Any:
            reply = await view_of(picks[i % len(picks)], i)
            if reply.cabinet.partial:
                raise RuntimeError(f"partial view: {list(reply.cabinet.missing_sections)}")
            return reply

        # The view's CPU is that of all five processes (the gateway and its backends).
        scenario = await ctx.compare_with_echo("gateway_partner_view", view, list(addresses.values()))
        # Each backend's slowest section read, alone, at the same concurrency.
        status_stubs = [status_grpc.StatusServiceStub(c) for c in channels["status"]]
        points_stubs = [points_grpc.PointsServiceStub(c) for c in channels["points"]]
        licensing_stubs = [licensing_grpc.LicensingServiceStub(c) for c in channels["licensing"]]
        compliance_stubs = [compliance_grpc.ComplianceServiceStub(c) for c in channels["compliance"]]
        system = ctx.tokens.metadata(ctx.tokens.system())
        backend_calls: dict[str, Callable[[int], Awaitable[Any]]] = {
            "status": lambda i: status_stubs[i % 4].GetPartnerStatus(
                status_pb.GetPartnerStatusRequest(partner_id=picks[i % len(picks)]), metadata=system, timeout=10
            ),
            "points": lambda i: points_stubs[i % 4].GetExpiringPoints(
                points_pb.GetExpiringPointsRequest(partner_id=picks[i % len(picks)], within_days=90),
                metadata=system,
                timeout=10,
            ),
            "licensing": lambda i: licensing_stubs[i % 4].ListPartnerKeys(
                licensing_pb.ListPartnerKeysRequest(partner_id=picks[i % len(picks)], page_size=100),
                metadata=system,
                timeout=10,
            ),
            "compliance": lambda i: compliance_stubs[i % 4].ListActiveSanctions(
                compliance_pb.ListActiveSanctionsRequest(partner_id=picks[i % len(picks)], page_size=200),
                metadata=system,
                timeout=10,
            ),
        }
        for name, call in backend_calls.items():
            loads[name] = await ctx.load(call, addresses[name])
        for group in channels.values():
            for channel in group:
                await channel.close()
    slowest = max(("status", "points", "licensing", "compliance"), key=lambda n: loads[n].p99_ms)
    ceiling = loads[slowest].p99_ms + SLACK_MS
    ratio = scenario.metrics["throughput_vs_echo"]
    view_p99 = scenario.metrics["p99_ms"]
    scenario.metrics |= {f"{name}_p99_ms": load.p99_ms for name, load in loads.items()}
    scenario.metrics["partners"] = float(count)
    scenario.goals = [
        Goal(
            f"p99 <= slowest backend ({slowest}) p99 + {SLACK_MS:.0f} ms",
            scenario.metrics["throughput"] > 0 and view_p99 <= ceiling,
            f"{view_p99:.1f} ms (median of rounds) vs {ceiling:.1f} ms",
        ),
        Goal(f"throughput >= {MIN_ECHO_RATIO} x echo", ratio >= MIN_ECHO_RATIO, f"{ratio:.2f} x echo"),
        Goal(
            "no errors (no partial view)", scenario.metrics["errors"] == 0, f"{scenario.metrics['errors']:.0f} errors"
        ),
    ]
    scenario.loads |= loads
    return scenario
