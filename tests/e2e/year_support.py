"""Driving a partner's year on the running suite: one set of gRPC stubs with real tokens,
and the steps the scenarios share."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import grpc
from e2e_support import eventually, md, onboard_partner
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.gateway.v1 import gateway_service_pb2_grpc as gateway_grpc
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.points.v1 import monitoring_pb2 as mon
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import card_pb2, employee_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.auth import PartnerRole
from ppcore.clock import kyiv_date, kyiv_datetime
from ppcore.testing.plugin import Tokens

T = TypeVar("T")
SURVEY = ("OVERALL_SATISFACTION", "DEADLINES_MET", "QUALITY_OF_RESULT", "COMMUNICATION", "WOULD_RECOMMEND")


def ts(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


@dataclass
class Stubs:
    tokens: Tokens
    status: status_grpc.StatusServiceStub
    points: points_grpc.PointsServiceStub
    licensing: licensing_grpc.LicensingServiceStub
    compliance: compliance_grpc.ComplianceServiceStub
    gateway: gateway_grpc.GatewayServiceStub
    status_channel: grpc.aio.Channel

    @property
    def staff(self) -> Any:
        return md(self.tokens.staff())

    @property
    def system(self) -> Any:
        return md(self.tokens.system())

    @property
    def sales(self) -> Any:
        return md(self.tokens.sales_platform())

    def partner(self, partner_id: str, login: str) -> Any:
        return md(self.tokens.partner_user(partner_id, PartnerRole.MAIN, subject=login))


# The test as a client that rides out a restarting service: it waits for a replica to be
# ready (bounded), balances over every replica, and repeats a call a crash cut off with
# the same request (and so the same request_id).
CLIENT_SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [
            {
                "name": [{}],
                "waitForReady": True,
                "timeout": "120s",
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.2s",
                    "maxBackoff": "3s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ],
    }
)


@asynccontextmanager
async def stubs(suite: Any, tokens: Tokens) -> AsyncIterator[Stubs]:
    names = ("status", "points", "licensing", "compliance", "gateway")
    options = [("grpc.service_config", CLIENT_SERVICE_CONFIG), ("grpc.enable_retries", 1)]
    channels = {name: grpc.aio.insecure_channel(suite.address(name), options=options) for name in names}
    try:
        yield Stubs(
            tokens,
            status_grpc.StatusServiceStub(channels["status"]),
            points_grpc.PointsServiceStub(channels["points"]),
            licensing_grpc.LicensingServiceStub(channels["licensing"]),
            compliance_grpc.ComplianceServiceStub(channels["compliance"]),
            gateway_grpc.GatewayServiceStub(channels["gateway"]),
            channels["status"],
        )
    finally:
        for channel in channels.values():
            await channel.close()


async def once_known(call: Callable[[], Awaitable[T]]) -> T:
    """A call into a service that learns of the partner from events: retried while it
    answers that it does not know the partner yet."""

    async def attempt() -> T | None:
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION) and (
                "partner" in (error.details() or "").lower()
            ):
                return None
            raise

    result = await eventually(attempt, lambda r: r is not None)
    assert result is not None
    return result


CERTIFIED_COURSES = ("SM_ADMINISTRATOR", "SM_DEVELOPER")
GOLD_COURSES = ("SM_CONTENT_MANAGER", "SM_ADMINISTRATOR", "SM_DEVELOPER", "B24_INTEGRATOR")


async def certified_employees(
    s: Stubs, partner_id: str, main: str, logins: tuple[str, ...], courses: tuple[str, ...] = CERTIFIED_COURSES
) -> None:
    """Full-rights employees attached by the main user (unless already attached), each with
    ``courses`` (R-EMP-06)."""
    for login in logins:
        attached = await s.status.GetAccess(status_pb.GetAccessRequest(login=login), metadata=s.system)
        if login != main and not attached.partner_id:
            await s.status.AttachEmployee(
                status_pb.AttachEmployeeRequest(
                    request_id=f"attach-{login}", partner_id=partner_id, login=login, role=employee_pb2.ROLE_FULL
                ),
                metadata=s.partner(partner_id, main),
            )
        for course in courses:
            await s.status.RecordCertificate(
                status_pb.RecordCertificateRequest(
                    request_id=f"cert-{login}-{course}",
                    certificate_id=f"{login}-{course}",
                    login=login,
                    course_code=course,
                    issued_date="2027-01-04",
                ),
                metadata=s.system,
            )


async def publish_card(s: Stubs, partner_id: str, main: str, city: str) -> None:
    """A complete card, approved by staff, so the public directory lists the partner (R-CARD-01/02)."""
    content = card_pb2.CardContent(
        description="Sites and online shops",
        logo_ref="logo.png",
        phone="+380 44 123 4567",
        office_address=f"{city}, Khreshchatyk 1",
        website_url=f"https://{main}.example.ua",
        publish_on_site=True,
    )
    proposed = await s.status.ProposeCardChange(
        status_pb.ProposeCardChangeRequest(request_id=f"card-{main}", partner_id=partner_id, content=content),
        metadata=s.partner(partner_id, main),
    )
    await s.status.ApproveCardChange(
        status_pb.ApproveCardChangeRequest(
            request_id=f"card-ok-{main}", partner_id=partner_id, revision_id=proposed.revision.revision_id
        ),
        metadata=s.staff,
    )


async def client_key(s: Stubs, key: str, edition: str, client: str) -> None:
    """A client's activated licence key, as the vendor's licence system registers it."""
    await s.licensing.RegisterLicenseKey(
        licensing_pb.RegisterLicenseKeyRequest(
            request_id=f"key-{key}", key=key, edition=edition, owner_client_id=client, activated=True
        ),
        metadata=s.system,
    )


async def approved_project(s: Stubs, partner_id: str, main: str, site: str, key: str) -> Any:
    """A project the partner submits and staff approve (R-PRJ-01): points by the key's edition."""
    submitted = await once_known(
        lambda: s.points.SubmitProject(
            points_pb.SubmitProjectRequest(
                request_id=f"project-{site}", partner_id=partner_id, site_url=site, license_key=key, title=site
            ),
            metadata=s.partner(partner_id, main),
        )
    )
    approved = await s.points.ApproveProject(
        points_pb.ApproveProjectRequest(
            request_id=f"approve-{site}", project_id=submitted.project.project_id, decided_by="staff:anna"
        ),
        metadata=s.staff,
    )
    return approved.project


async def monitored(s: Stubs, partner_id: str, main: str, project: Any, key: str) -> Any:
    """Quality monitoring of a project: mandatory tests passed, the client's survey (R-QM-02/03)."""
    submitted = await s.points.SubmitMonitoringResults(
        points_pb.SubmitMonitoringResultsRequest(
            request_id=f"qm-{project.project_id}",
            partner_id=partner_id,
            project_id=project.project_id,
            site_url=project.site_key,
            license_key=key,
            client_contact=mon.ClientContact(name="Iryna Client", phone="+380501112233", email="iryna@client.ua"),
            test_results=[mon.TestResult(test_code="SPEED", mandatory=True, outcome=mon.TEST_OUTCOME_PASSED)],
        ),
        metadata=s.partner(partner_id, main),
    )
    done = await s.points.RecordMonitoringSurvey(
        points_pb.RecordMonitoringSurveyRequest(
            request_id=f"survey-{project.project_id}",
            submission_id=submitted.submission.submission_id,
            scores=[mon.SurveyScore(question_code=q, score=5) for q in SURVEY],
            surveyed_by="staff:qa",
        ),
        metadata=s.staff,
    )
    return done


def next_daily_totals(now: datetime) -> datetime:
    """One minute after the next 23:00 Kyiv, when the points totals have run (R-PTS-05)."""
    target = kyiv_datetime(kyiv_date(now), 23, 1)
    return target if target > now else target + timedelta(days=1)


async def certified_partner(suite: Any, s: Stubs, login: str, city: str, key_suffix: str) -> str:
    """A Business partner made Certified the way scenario 1 does it (two certified
    employees, an approved Enterprise-key project worth 100 points, the 23:00 totals),
    listed in the directory and holding its 2 NFR keys."""
    partner_id = await onboard_partner(s.status_channel, s.tokens, login)
    await certified_employees(s, partner_id, login, (login, f"{login}-dev"))
    await publish_card(s, partner_id, login, city)
    key = f"SME-01-{key_suffix}"
    await client_key(s, key, "SM_ENTERPRISE", f"client-{login}")
    await approved_project(s, partner_id, login, f"{login}.example.ua", key)
    await suite.advance_to(next_daily_totals(await suite.now()))

    async def tier() -> int:
        got = await s.status.GetPartnerStatus(
            status_pb.GetPartnerStatusRequest(partner_id=partner_id), metadata=s.staff
        )
        return int(got.status.tier)

    await eventually(tier, lambda t: t == status_pb2.PARTNER_TIER_CERTIFIED)
    await eventually(lambda: partner_keys(s, partner_id), lambda grants: len(grants) == 2)
    return partner_id


async def partner_keys(s: Stubs, partner_id: str) -> list[Any]:
    """Every NFR grant the partner ever held, revoked and lapsed ones included."""
    listed = await s.licensing.ListPartnerKeys(
        licensing_pb.ListPartnerKeysRequest(partner_id=partner_id, include_inactive=True), metadata=s.staff
    )
    return list(listed.grants)


async def directory_ids(s: Stubs) -> set[str]:
    page = await s.gateway.ListDirectory(gateway_pb.ListDirectoryRequest(page_size=100))
    return {e.partner_id for e in page.entries}


async def checkout_facade(s: Stubs, buyer_login: str) -> Any:
    """The sales platform's discount question at checkout, through the gateway (R-ENT-01)."""
    return await s.gateway.CheckDiscountEntitlement(
        gateway_pb.CheckDiscountEntitlementRequest(buyer_login=buyer_login, product_family="SITE_MANAGEMENT"),
        metadata=s.sales,
    )
