"""The real gateway in-process, on a fresh PostgreSQL database and real NATS, with the four
backends as small fakes of their real protos on real grpc.aio servers (port 0).

The harness publishes the producers' event envelopes on JetStream (the test's namespace),
waits until the gateway's consumers recorded them, and reads the database. The plumbing is
``ppcore.testing.service``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from google.protobuf.message import Message

from gateway_service.__main__ import MIGRATIONS_DIR
from gateway_service.bootstrap import build_gateway
from gateway_service.config import GatewaySettings
from gateway_service.http.server import HttpServer
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as pb_grpc
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import ledger_pb2, point_request_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import (
    card_pb2,
    employee_pb2,
    entitlement_pb2,
    lead_pb2,
    partner_pb2,
    simulation_pb2,
    status_pb2,
)
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.auth import ON_BEHALF_OF, Caller, caller_from_claims
from ppcore.clock import FixedClock
from ppcore.errors import DomainError, InvalidArgument, not_found
from ppcore.events import make_envelope
from ppcore.grpc_errors import rich_status
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens
from ppcore.testing.service import FakeServer, ServiceHarness, service_settings, start_fake_server, start_harness

# Long enough for a cold first call on a busy machine; the fakes made slow sleep well past them.
CABINET_DEADLINE = 2.0
ENTITLEMENT_DEADLINE = 1.0


def _caller_of(token: str) -> Caller:
    # The gateway mints its service token with the test's fixed clock (months in the past),
    # so the expiry is not checked here; the signature and the claims are.
    claims = jwt.decode(
        token,
        TEST_JWT_SECRET,
        algorithms=["HS256"],
        audience="partnerprogram",
        issuer="partnerprogram",
        options={"verify_exp": False},
    )
    return caller_from_claims(claims)


class FakeBackend:
    """What every fake shares: a delay to make it slow, a refusal to make it fail, and a
    record of who called (the gateway must call as itself, a system caller)."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.refusal: DomainError | None = None
        self.callers: list[Caller] = []
        self.partner_ids: list[str] = []
        self.requests: list[Any] = []
        self.end_users: list[Caller | None] = []  # whom each call was made for (x-on-behalf-of)

    async def _enter(self, request: Any, context: Any) -> None:
        metadata = dict(context.invocation_metadata())
        self.callers.append(_caller_of(metadata["authorization"].removeprefix("Bearer ")))
        end_user = metadata.get(ON_BEHALF_OF)
        self.end_users.append(_caller_of(end_user) if end_user else None)
        self.partner_ids.append(getattr(request, "partner_id", ""))
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refusal is not None:
            await self.abort(context, self.refusal)

    @staticmethod
    async def abort(context: Any, error: DomainError) -> None:
        """Refuse as the real services do: the code of the error's class and a rich status."""
        code, message, status = rich_status(error)
        await context.abort(code, message, trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),))


_EMPLOYEES = [
    employee_pb2.Employee(login="olena", role=employee_pb2.ROLE_MAIN, course_codes=["SM_DEV"]),
    employee_pb2.Employee(login="taras", role=employee_pb2.ROLE_LIMITED),
]


def _card(partner_id: str) -> card_pb2.PartnerCard:
    return card_pb2.PartnerCard(
        partner_id=partner_id,
        published=card_pb2.CardContent(description="We build sites", publish_on_site=True),
        eligibility=card_pb2.PublicListEligibility(eligible=True),
        competency_codes=["COMPOSITE_SITE"],
    )


def _projects() -> list[project_pb2.Project]:
    return [
        project_pb2.Project(project_id="pr-1", state=project_pb2.PROJECT_STATE_APPROVED),
        project_pb2.Project(project_id="pr-2", state=project_pb2.PROJECT_STATE_APPROVED),
        project_pb2.Project(project_id="pr-3", state=project_pb2.PROJECT_STATE_UNDER_REVIEW),
    ]


def _daily_total(partner_id: str) -> ledger_pb2.DailyTotal:
    return ledger_pb2.DailyTotal(partner_id=partner_id, business_date="2026-03-01", total_points="142.5")


def _point_requests() -> list[point_request_pb2.PointRequest]:
    return [point_request_pb2.PointRequest(point_request_id="r-1", state=point_request_pb2.POINT_REQUEST_STATE_PENDING)]


def _expiring(within_days: int) -> points_pb.ExpiringWindow:
    by_date = [ledger_pb2.ExpiringOnDate(expire_date="2026-03-20", points="10")]
    if within_days >= 90:
        by_date.append(ledger_pb2.ExpiringOnDate(expire_date="2026-05-20", points="30"))
    total = sum(int(d.points) for d in by_date)
    return points_pb.ExpiringWindow(within_days=within_days, total_points=str(total), by_date=by_date)


class FakeStatus(status_grpc.StatusServiceServicer, FakeBackend):
    def __init__(self) -> None:
        FakeBackend.__init__(self)
        self.partners: set[str] = set()
        self.entitlement = status_pb.CheckDiscountEntitlementResponse(
            allowed=True,
            discount_percent=45,
            tier=status_pb2.PARTNER_TIER_CERTIFIED,
            reason=entitlement_pb2.ENTITLEMENT_REASON_ENTITLED,
            partner_id="p-1",
            policy_version="2026.11-1",
        )
        self.entitlement_requests: list[status_pb.CheckDiscountEntitlementRequest] = []
        self.simulated = status_pb.SimulatePolicyChangeResponse()
        self.scheduled: list[simulation_pb2.PolicyVersion] = []
        self.versions_served = 0

    async def _known(self, request: Any, context: Any) -> None:
        await self._enter(request, context)
        if request.partner_id not in self.partners:
            await self.abort(context, not_found("partner", request.partner_id))

    async def GetPartnerCard(self, request, context):
        await self._known(request, context)
        return status_pb.GetPartnerCardResponse(card=_card(request.partner_id))

    async def ListEmployees(self, request, context):
        await self._known(request, context)
        return status_pb.ListEmployeesResponse(employees=_EMPLOYEES)

    async def GetPartnerSnapshot(self, request, context):
        """Every part, whichever are asked for (the gateway must ask only for what it shows)."""
        await self._known(request, context)
        partner_id = request.partner_id
        return status_pb.GetPartnerSnapshotResponse(
            partner=partner_pb2.Partner(partner_id=partner_id, company_name="Studio", city="Київ"),
            card=_card(partner_id),
            status=status_pb2.PartnerStatus(
                partner_id=partner_id,
                tier=status_pb2.PARTNER_TIER_CERTIFIED,
                granted_date="2025-09-01",
                valid_until_date="2026-09-01",
                discount_percent=45,
                active_points=140,
                certified_specialists=2,
            ),
            letter=partner_pb2.AuthorizationLetter(partner_id=partner_id, valid_from_date="2025-09-05"),
            discount=self.entitlement,
            employees=_EMPLOYEES,
            competencies=[status_pb2.Competency(code="COMPOSITE_SITE", active=True)],
            leads=[lead_pb2.Lead(lead_id="lead-1", city="Київ", state=lead_pb2.LEAD_STATE_OFFERED)],
        )

    async def CheckDiscountEntitlement(self, request, context):
        self.entitlement_requests.append(request)
        await self._enter(request, context)
        return self.entitlement

    async def SimulatePolicyChange(self, request, context):
        """The simulation as status answers it: here ``simulated`` (a test sets it); refused like
        status for a document without a version."""
        await self._enter(request, context)
        if "version" not in request.policy_document:
            await self.abort(context, InvalidArgument.for_field("policy_document.version", "is required"))
        return self.simulated

    async def ListPolicyVersions(self, request, context):
        """The policy file's version and ``scheduled`` (a test sets them, with their documents)."""
        self.versions_served += 1
        return status_pb.ListPolicyVersionsResponse(
            as_of_date=request.as_of_date or "2026-03-02",
            in_force_version="2026.11-1",
            versions=[simulation_pb2.PolicyVersion(version="2026.11-1", in_force=True), *self.scheduled],
        )


class FakePoints(points_grpc.PointsServiceServicer, FakeBackend):
    async def GetActiveTotal(self, request, context):
        await self._enter(request, context)
        return points_pb.GetActiveTotalResponse(partner_id=request.partner_id, total_points="142.5")

    async def GetDailyTotal(self, request, context):
        await self._enter(request, context)
        return points_pb.GetDailyTotalResponse(daily_total=_daily_total(request.partner_id))

    async def GetExpiringPoints(self, request, context):
        await self._enter(request, context)
        window = _expiring(request.within_days)
        return points_pb.GetExpiringPointsResponse(total_points=window.total_points, by_date=window.by_date)

    async def ListProjects(self, request, context):
        await self._enter(request, context)
        return points_pb.ListProjectsResponse(projects=_projects())

    async def ListPointRequests(self, request, context):
        await self._enter(request, context)
        return points_pb.ListPointRequestsResponse(point_requests=_point_requests())

    async def GetPartnerPointsSnapshot(self, request, context):
        await self._enter(request, context)
        return points_pb.GetPartnerPointsSnapshotResponse(
            daily_total=_daily_total(request.partner_id),
            expiring=[_expiring(days) for days in request.expiring_within_days],
            point_requests=_point_requests(),
            projects=_projects(),
        )

    async def ListMonitoringSubmissions(self, request, context):
        await self._enter(request, context)
        return points_pb.ListMonitoringSubmissionsResponse()


class FakeLicensing(licensing_grpc.LicensingServiceServicer, FakeBackend):
    def __init__(self) -> None:
        FakeBackend.__init__(self)
        self.with_cloud = True

    async def GetPartnerNfrSnapshot(self, request, context):
        await self._enter(request, context)
        answer = licensing_pb.GetPartnerNfrSnapshotResponse(
            grants=[
                nfr_pb2.NfrGrant(
                    grant_id="g-1",
                    partner_id=request.partner_id,
                    kind=nfr_pb2.GRANT_KIND_STATUS,
                    entitlement="CERTIFIED_1",
                    edition="SM_BUSINESS",
                    key="KEY-1",
                    state=nfr_pb2.GRANT_STATE_ACTIVE,
                )
            ]
        )
        if self.with_cloud:
            answer.cloud_nfr.CopyFrom(
                nfr_pb2.CloudNfr(
                    cloud_nfr_id="c-1",
                    partner_id=request.partner_id,
                    plan="COMPANY",
                    state=nfr_pb2.CLOUD_NFR_STATE_ACTIVE,
                )
            )
        return answer


class FakeCompliance(compliance_grpc.ComplianceServiceServicer, FakeBackend):
    def __init__(self) -> None:
        FakeBackend.__init__(self)
        self.price_requests: list[compliance_pb.CheckResalePriceRequest] = []

    async def CheckResalePrice(self, request, context):
        self.price_requests.append(request)
        await self._enter(request, context)
        allowed = float(request.price_uah) >= 1000
        return compliance_pb.CheckResalePriceResponse(
            allowed=allowed, list_price_uah="1000", dumping_case_id="" if allowed else "case-1"
        )

    async def ListViolators(self, request, context):
        await self._enter(request, context)
        return compliance_pb.ListViolatorsResponse(
            violators=[sanction_pb2.Violator(partner_id="p-9", sanction_id="s-9", listed_since_date="2026-02-01")]
        )

    async def ListActiveSanctions(self, request, context):
        await self._enter(request, context)
        return compliance_pb.ListActiveSanctionsResponse(
            sanctions=[
                sanction_pb2.Sanction(
                    sanction_id="s-1",
                    partner_id=request.partner_id,
                    kind=sanction_pb2.SANCTION_KIND_LEADS_DISCONNECTION,
                    start_date="2026-02-01",
                    state=sanction_pb2.SANCTION_STATE_APPLIED,
                )
            ],
            at_date="2026-03-02",
        )


@dataclass
class Backends:
    status: FakeStatus = field(default_factory=FakeStatus)
    points: FakePoints = field(default_factory=FakePoints)
    licensing: FakeLicensing = field(default_factory=FakeLicensing)
    compliance: FakeCompliance = field(default_factory=FakeCompliance)
    servers: dict[str, FakeServer] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)

    async def start(self) -> None:
        adders = {
            "status": (self.status, status_grpc.add_StatusServiceServicer_to_server),
            "points": (self.points, points_grpc.add_PointsServiceServicer_to_server),
            "licensing": (self.licensing, licensing_grpc.add_LicensingServiceServicer_to_server),
            "compliance": (self.compliance, compliance_grpc.add_ComplianceServiceServicer_to_server),
        }
        for name, (servicer, add) in adders.items():
            server = await start_fake_server(lambda s, servicer=servicer, add=add: add(servicer, s))
            self.servers[name] = server
            self.addresses[name] = server.address

    async def take_down(self, name: str) -> None:
        """The backend process is gone: nothing listens on its address any more."""
        await self.servers[name].stop()

    async def stop(self) -> None:
        for server in self.servers.values():
            await server.stop()


@dataclass
class Harness(ServiceHarness):
    backends: Backends
    settings: GatewaySettings
    http: HttpServer
    stub: pb_grpc.GatewayServiceStub = field(init=False)

    def __post_init__(self) -> None:
        self.stub = pb_grpc.GatewayServiceStub(self.channel)

    async def http_base_url(self) -> str:
        """Where the gateway's HTTP side listens, once it does."""
        await asyncio.wait_for(self.http.started.wait(), timeout=10)
        return f"http://127.0.0.1:{self.http.bound_port}"

    async def publish(
        self, producer: str, payload: Message, partner_id: str = "", *, event_id: str | None = None, msg_id: str = ""
    ) -> str:
        """Publish ``producer``'s event now; with ``event_id`` and ``msg_id``, a redelivery
        of an event already sent (same event id, a new JetStream message id)."""
        if event_id is None and not msg_id:
            return await super().publish(producer, payload, partner_id)
        envelope = make_envelope(
            payload, source=producer, time=self.clock.now(), partner_id=partner_id, event_id=event_id
        )
        subject = self.naming.subject_for(envelope.type)
        await self.bus.js.publish(subject, envelope.SerializeToString(), headers={"Nats-Msg-Id": msg_id or envelope.id})
        return envelope.id

    async def emit(self, producer: str, payload: Message, partner_id: str = "") -> str:
        """Publish a producer's event and wait until the gateway applied it."""
        event_id = await self.publish(producer, payload, partner_id)
        await self.handled(event_id)
        return event_id


@pytest.fixture
async def gateway(
    make_migrated_database, nats_server, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[Harness]:
    backends = Backends()
    await backends.start()
    url = await make_migrated_database(MIGRATIONS_DIR)
    settings = GatewaySettings(
        **service_settings(
            url,
            nats_server.url,
            nats_namespace,
            status_address=backends.addresses["status"],
            points_address=backends.addresses["points"],
            licensing_address=backends.addresses["licensing"],
            compliance_address=backends.addresses["compliance"],
            cabinet_deadline_seconds=CABINET_DEADLINE,
            entitlement_deadline_seconds=ENTITLEMENT_DEADLINE,
            directory_cache_seconds=0,  # every listing reads the read model the events just changed
            policy_versions_refresh_seconds=0.25,
            http_port=0,
            http_cors_origins="https://partners.example.ua",
        )
    )
    app, http = await build_gateway(settings, clock=clock)
    harness = await start_harness(
        Harness,
        app,
        database_url=url,
        nats_url=nats_server.url,
        nats_namespace=nats_namespace,
        producer="gateway",
        consumes=("status", "points", "compliance"),
        clock=clock,
        tokens=tokens,
        backends=backends,
        settings=settings,
        http=http,
    )
    yield harness
    await harness.close()
    await backends.stop()
