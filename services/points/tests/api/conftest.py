"""The real points service in-process, on a fresh PostgreSQL database and real NATS, with a
fake licensing key registry (VerifyKey) on a real grpc.aio server.

The harness publishes status and compliance events on JetStream, taps the events points
publishes, and reads the database to prove what was (and was not) written. The plumbing is
``ppcore.testing.service``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from partnerprogram.licensing.v1 import license_key_pb2 as lk
from partnerprogram.licensing.v1 import licensing_service_pb2 as lic_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as lic_grpc
from partnerprogram.points.v1 import points_service_pb2_grpc as pb_grpc
from partnerprogram.status.v1 import events_pb2 as status_events
from points_service.__main__ import MIGRATIONS_DIR
from points_service.bootstrap import build_app
from points_service.config import PointsSettings
from ppcore.clock import FixedClock
from ppcore.testing.plugin import Tokens
from ppcore.testing.service import ServiceHarness, service_settings, start_fake_server, start_harness

DATA_TABLES = ("ledger_entries", "projects", "orders", "monitoring_submissions", "point_requests", "outbox")


def verdict(key: str, *, edition: str = "SM_STANDARD", owner: str = "client-1", **overrides: Any) -> lk.KeyVerdict:
    values: dict[str, Any] = {
        "valid": True,
        "reason": lk.VERIFY_REASON_VALID,
        "key": key,
        "kind": lk.KEY_KIND_COMMERCIAL,
        "owner_id": owner,
        "edition": edition,
        "activated": True,
        "demo": False,
    }
    values.update(overrides)
    return lk.KeyVerdict(**values)


class FakeKeyRegistry(lic_grpc.LicensingServiceServicer):
    """The licensing service's VerifyKey, answered from a dict the test fills."""

    def __init__(self) -> None:
        self.verdicts: dict[str, lk.KeyVerdict] = {
            "KEY-STANDARD-1": verdict("KEY-STANDARD-1"),
            "KEY-STANDARD-2": verdict("KEY-STANDARD-2"),
            "KEY-STANDARD-3": verdict("KEY-STANDARD-3"),
            "KEY-BUSINESS-1": verdict("KEY-BUSINESS-1", edition="SM_BUSINESS"),
            "KEY-DEMO": verdict("KEY-DEMO", demo=True, valid=False, reason=lk.VERIFY_REASON_DEMO),
            "KEY-INACTIVE": verdict(
                "KEY-INACTIVE", activated=False, valid=False, reason=lk.VERIFY_REASON_NOT_ACTIVATED
            ),
            "KEY-NFR": verdict("KEY-NFR", kind=lk.KEY_KIND_NFR_STATUS, owner="p-1"),
            "KEY-OWN": verdict("KEY-OWN", owner="p-1"),
            "KEY-NO-OWNER": verdict("KEY-NO-OWNER", owner=""),
        }
        self.calls: list[dict[str, str]] = []

    async def VerifyKey(self, request: lic_pb.VerifyKeyRequest, context: Any) -> lic_pb.VerifyKeyResponse:
        self.calls.append(dict(context.invocation_metadata()))
        found = self.verdicts.get(request.key)
        if found is None:
            found = lk.KeyVerdict(valid=False, reason=lk.VERIFY_REASON_UNKNOWN)
        return lic_pb.VerifyKeyResponse(verdict=found)


@dataclass
class Harness(ServiceHarness):
    keys: FakeKeyRegistry
    stub: pb_grpc.PointsServiceStub = field(init=False)

    data_tables = DATA_TABLES

    def __post_init__(self) -> None:
        self.stub = pb_grpc.PointsServiceStub(self.channel)

    async def approve_partners(self, *partner_ids: str) -> None:
        """Status's PartnerApproved, consumed into points' local copy of partners."""
        for partner_id in partner_ids:
            await self.publish_and_wait(
                "status", status_events.PartnerApproved(partner_id=partner_id, company_name=partner_id), partner_id
            )


@pytest.fixture
async def points(
    make_migrated_database: Any, nats_server: Any, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[Harness]:
    keys = FakeKeyRegistry()
    licensing_server = await start_fake_server(
        lambda server: lic_grpc.add_LicensingServiceServicer_to_server(keys, server)
    )

    url = await make_migrated_database(MIGRATIONS_DIR)
    settings = PointsSettings(
        **service_settings(url, nats_server.url, nats_namespace, licensing_address=licensing_server.address)
    )
    harness = await start_harness(
        Harness,
        await build_app(settings, clock=clock),
        database_url=url,
        nats_url=nats_server.url,
        nats_namespace=nats_namespace,
        producer="points",
        consumes=("status", "compliance"),
        clock=clock,
        tokens=tokens,
        keys=keys,
    )
    yield harness
    await harness.close()
    await licensing_server.stop()
