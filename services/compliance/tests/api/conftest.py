"""The real compliance service in-process, on a fresh PostgreSQL database and real NATS.

``compliance`` starts it; the harness publishes the status service's events on
JetStream, taps the events this service publishes, and reads the database to prove what
was (and was not) written. The plumbing is ``ppcore.testing.service``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from google.protobuf.message import Message

from compliance_service.__main__ import MIGRATIONS_DIR
from compliance_service.bootstrap import build_app
from compliance_service.config import ComplianceSettings
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as pb_grpc
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.clock import FixedClock
from ppcore.testing.plugin import Tokens
from ppcore.testing.polling import eventually
from ppcore.testing.service import ServiceHarness, service_settings, start_harness


@dataclass
class Harness(ServiceHarness):
    stub: pb_grpc.ComplianceServiceStub = field(init=False)

    data_tables = ("cases", "sanctions", "control_purchases", "personal_data_requests", "agreed_discounts", "outbox")

    def __post_init__(self) -> None:
        self.stub = pb_grpc.ComplianceServiceStub(self.channel)

    async def publish_status(self, payload: Message, partner_id: str) -> None:
        await self.publish("status", payload, partner_id)

    async def approve_partner(self, partner_id: str) -> None:
        """The status service approved a partner: publish it and wait until it is known here."""
        await self.publish_status(status_events.PartnerApproved(partner_id=partner_id), partner_id)
        await eventually(lambda: self.scalar(f"SELECT count(*) FROM partners WHERE partner_id = '{partner_id}'"))


StartCompliance = Callable[..., Any]


@pytest.fixture
async def start_compliance(
    make_migrated_database, nats_server, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[StartCompliance]:
    started: list[Harness] = []

    async def start(*, scheduler_enabled: bool = False, lift_interval: float = 0.05) -> Harness:
        url = await make_migrated_database(MIGRATIONS_DIR)
        settings = ComplianceSettings(
            **service_settings(
                url,
                nats_server.url,
                nats_namespace,
                scheduler_enabled=scheduler_enabled,
                sanction_lift_interval_seconds=lift_interval,
            )
        )
        harness = await start_harness(
            Harness,
            await build_app(settings, clock=clock),
            database_url=url,
            nats_url=nats_server.url,
            nats_namespace=nats_namespace,
            producer="compliance",
            consumes=("status",),
            clock=clock,
            tokens=tokens,
        )
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.close()


@pytest.fixture
async def compliance(start_compliance: StartCompliance) -> Harness:
    harness: Harness = await start_compliance()
    return harness
