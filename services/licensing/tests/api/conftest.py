"""The real licensing service in-process, on a fresh PostgreSQL database and real NATS,
with a fake status service on a real grpc.aio server for the partner facts.

The harness publishes the status, points and compliance services' events on JetStream,
taps the events licensing publishes, and reads the database to prove what was (and was
not) written. The plumbing is ``ppcore.testing.service``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from licensing_service.__main__ import MIGRATIONS_DIR
from licensing_service.bootstrap import build_app
from licensing_service.config import LicensingSettings
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import events_pb2 as status_events
from partnerprogram.status.v1 import simulation_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.clock import FixedClock
from ppcore.testing.errors import violated_fields
from ppcore.testing.plugin import Tokens
from ppcore.testing.service import ServiceHarness, service_settings, start_fake_server, start_harness

DATA_TABLES = ("license_keys", "nfr_grants", "cloud_nfrs", "nfr_history", "edition_change_requests", "outbox")


class FakeStatusService(status_grpc.StatusServiceServicer):
    """The status service's GetPartnerFacts, answered from a dict the test fills."""

    def __init__(self) -> None:
        self.facts: dict[str, status_pb.GetPartnerFactsResponse] = {}
        self.calls: list[status_pb.GetPartnerFactsRequest] = []
        self.metadata: list[dict[str, str]] = []
        # Policy versions scheduled ahead (R-POL-01), as ListPolicyVersions answers them.
        self.versions: list[simulation_pb2.PolicyVersion] = []
        self.versions_served = 0

    def set(self, partner_id: str, *, contract_accepted: bool = True, certified: int = 1, terminated: bool = False):
        self.facts[partner_id] = status_pb.GetPartnerFactsResponse(
            partner_id=partner_id,
            exists=True,
            terminated=terminated,
            contract_accepted=contract_accepted,
            tier=status_pb2.PARTNER_TIER_BUSINESS,
            certified_employee_count=certified,
        )

    async def ListPolicyVersions(self, request, context):
        self.versions_served += 1
        return status_pb.ListPolicyVersionsResponse(versions=self.versions)

    async def GetPartnerFacts(self, request, context):
        self.calls.append(request)
        self.metadata.append(dict(context.invocation_metadata()))
        return self.facts.get(
            request.partner_id, status_pb.GetPartnerFactsResponse(partner_id=request.partner_id, exists=False)
        )


@dataclass
class Harness(ServiceHarness):
    status: FakeStatusService
    stub: pb_grpc.LicensingServiceStub = field(init=False)

    data_tables = DATA_TABLES

    def __post_init__(self) -> None:
        self.stub = pb_grpc.LicensingServiceStub(self.channel)

    @staticmethod
    def violations(error: grpc.aio.AioRpcError) -> list[str]:
        return violated_fields(error)


@pytest.fixture
async def licensing(
    make_migrated_database, nats_server, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[Harness]:
    status = FakeStatusService()
    status_server = await start_fake_server(
        lambda server: status_grpc.add_StatusServiceServicer_to_server(status, server)
    )

    url = await make_migrated_database(MIGRATIONS_DIR)
    settings = LicensingSettings(
        **service_settings(url, nats_server.url, nats_namespace, status_address=status_server.address),
        policy_versions_refresh_seconds=0.25,
    )
    rng = random.Random(20261125)
    ids = itertools.count(1)
    app = await build_app(settings, clock=clock, new_id=lambda: f"id-{next(ids)}", random_bytes=rng.randbytes)
    harness = await start_harness(
        Harness,
        app,
        database_url=url,
        nats_url=nats_server.url,
        nats_namespace=nats_namespace,
        producer="licensing",
        consumes=("status", "points", "compliance"),
        clock=clock,
        tokens=tokens,
        status=status,
    )
    yield harness
    await harness.close()
    await status_server.stop()


# --- producers' events, as the other services publish them ----------------------------

TIERS = {
    "BUSINESS": status_pb2.PARTNER_TIER_BUSINESS,
    "CERTIFIED": status_pb2.PARTNER_TIER_CERTIFIED,
    "GOLD": status_pb2.PARTNER_TIER_GOLD,
}


async def status_changed(harness: Harness, partner_id: str, to_tier: str, granted: str, from_tier: str = "") -> None:
    await harness.publish_and_wait(
        "status",
        status_events.StatusChanged(
            partner_id=partner_id,
            from_tier=TIERS.get(from_tier, 0),
            to_tier=TIERS[to_tier],
            reason=status_pb2.STATUS_CHANGE_REASON_UNSPECIFIED,
            granted_date=granted,
        ),
        partner_id,
    )


async def order(harness: Harness, partner_id: str, order_id: str, amount: str, when: Any) -> None:
    ts = Timestamp()
    ts.FromDatetime(when)
    await harness.publish_and_wait(
        "points",
        points_events.OrderRecorded(partner_id=partner_id, order_id=order_id, amount_uah=amount, order_time=ts),
        partner_id,
    )


@pytest.fixture
def helpers() -> Any:
    """Event helpers, importable through a fixture (test modules cannot import conftest)."""

    class Helpers:
        status_changed = staticmethod(status_changed)
        order = staticmethod(order)

    return Helpers
