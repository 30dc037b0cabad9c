"""The real compliance service in-process, on a fresh PostgreSQL database and real NATS.

``compliance`` starts it; the harness publishes the status service's events on
JetStream, taps the events this service publishes, and reads the database to prove what
was (and was not) written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from nats.js.api import DeliverPolicy

from compliance_service.__main__ import MIGRATIONS_DIR
from compliance_service.bootstrap import build_app
from compliance_service.config import ComplianceSettings
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as pb_grpc
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.bus import EventBus
from ppcore.clock import FixedClock
from ppcore.db import Database
from ppcore.events import Naming, make_envelope
from ppcore.grpc_errors import error_info, status_from_rpc_error
from ppcore.migrations import upgrade_async
from ppcore.server import ServerApp
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens

WAIT_SECONDS = 10.0


async def eventually(check: Callable[[], Any], *, within: float = WAIT_SECONDS) -> Any:
    """Poll an async check until it returns something truthy (bounded)."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.05)


@dataclass
class EventTap:
    """Every compliance event published in this test's namespace, decoded."""

    envelopes: list[EventEnvelope] = field(default_factory=list)

    def of_type(self, payload_type: type[Message]) -> list[Any]:
        found = []
        for envelope in self.envelopes:
            if envelope.type == payload_type.DESCRIPTOR.full_name:
                payload = payload_type()
                envelope.payload.Unpack(payload)
                found.append(payload)
        return found

    async def wait_for(self, payload_type: type[Message], predicate: Callable[[Any], bool] = lambda _: True) -> Any:
        async def check() -> Any:
            matches = [p for p in self.of_type(payload_type) if predicate(p)]
            return matches[0] if matches else None

        return await eventually(check)


@dataclass
class Harness:
    app: ServerApp
    stub: pb_grpc.ComplianceServiceStub
    channel: grpc.aio.Channel
    clock: FixedClock
    db: Database
    bus: EventBus
    naming: Naming
    tap: EventTap
    tokens: Tokens

    def staff(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.staff())

    def sales(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.sales_platform())

    async def publish_status(self, payload: Message, partner_id: str) -> None:
        envelope = make_envelope(payload, source="status", time=self.clock.now(), partner_id=partner_id)
        subject = self.naming.subject_for(envelope.type)
        await self.bus.js.publish(subject, envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})

    async def approve_partner(self, partner_id: str) -> None:
        """The status service approved a partner: publish it and wait until it is known here."""
        await self.publish_status(status_events.PartnerApproved(partner_id=partner_id), partner_id)
        await eventually(lambda: self.scalar(f"SELECT count(*) FROM partners WHERE partner_id = '{partner_id}'"))

    async def scalar(self, sql: str) -> Any:
        async with self.db.engine.connect() as conn:
            return (await conn.execute(sa.text(sql))).scalar()

    async def refused(self, call: Any, code: grpc.StatusCode, reason: str) -> grpc.aio.AioRpcError:
        """Await a call that must fail with ``code`` and ErrorInfo ``reason``."""
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        error = raised.value
        status = status_from_rpc_error(error)
        info = error_info(status) if status is not None else None
        assert error.code() is code, error.details()
        assert info is not None and info.reason == reason, error.details()
        return error

    async def eventually(self, check: Callable[[], Any]) -> Any:
        return await eventually(check)

    async def counts(self) -> dict[str, int]:
        tables = ("cases", "sanctions", "control_purchases", "personal_data_requests", "outbox")
        return {table: int(await self.scalar(f"SELECT count(*) FROM {table}")) for table in tables}


StartCompliance = Callable[..., Any]


@pytest.fixture
async def start_compliance(
    make_pg_database, nats_server, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[StartCompliance]:
    started: list[Harness] = []

    async def start(*, scheduler_enabled: bool = False, lift_interval: float = 0.05) -> Harness:
        url = await make_pg_database()
        await upgrade_async(MIGRATIONS_DIR, url)
        settings = ComplianceSettings(
            grpc_port=0,
            database_url=url,
            nats_url=nats_server.url,
            nats_namespace=nats_namespace,
            jwt_secret=TEST_JWT_SECRET,
            scheduler_enabled=scheduler_enabled,
            sanction_lift_interval_seconds=lift_interval,
            relay_poll_seconds=0.05,
        )
        app = await build_app(settings, clock=clock)
        port = await app.start()
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        naming = Naming(nats_namespace)
        bus = EventBus(nats_server.url, naming, client_name="compliance-test")
        await bus.connect()
        await bus.ensure_stream("status")
        await bus.ensure_stream("compliance")
        tap = EventTap()

        async def collect(msg: Any) -> None:
            envelope = EventEnvelope()
            envelope.ParseFromString(msg.data)
            tap.envelopes.append(envelope)

        await bus.js.subscribe(
            f"{nats_namespace}.compliance.v1.>", cb=collect, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        harness = Harness(
            app=app,
            stub=pb_grpc.ComplianceServiceStub(channel),
            channel=channel,
            clock=clock,
            db=Database(url),
            bus=bus,
            naming=naming,
            tap=tap,
            tokens=tokens,
        )
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.channel.close()
        await harness.app.stop()
        await harness.bus.close()
        await harness.db.dispose()


@pytest.fixture
async def compliance(start_compliance: StartCompliance) -> Harness:
    harness: Harness = await start_compliance()
    return harness
