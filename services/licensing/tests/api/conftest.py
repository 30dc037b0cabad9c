"""The real licensing service in-process, on a fresh PostgreSQL database and real NATS,
with a fake status service on a real grpc.aio server for the partner facts.

The harness publishes the status, points and compliance services' events on JetStream,
taps the events licensing publishes, and reads the database to prove what was (and was
not) written.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from nats.js.api import DeliverPolicy

from licensing_service.__main__ import MIGRATIONS_DIR
from licensing_service.bootstrap import build_app
from licensing_service.config import LicensingSettings
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import events_pb2 as status_events
from partnerprogram.status.v1 import status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.bus import EventBus
from ppcore.clock import FixedClock
from ppcore.db import Database
from ppcore.events import Naming, make_envelope
from ppcore.grpc_errors import error_info, field_violations, status_from_rpc_error
from ppcore.migrations import upgrade_async
from ppcore.server import ServerApp
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens

WAIT_SECONDS = 10.0
DATA_TABLES = ("license_keys", "nfr_grants", "cloud_nfrs", "nfr_history", "edition_change_requests", "outbox")


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


class FakeStatusService(status_grpc.StatusServiceServicer):
    """The status service's GetPartnerFacts, answered from a dict the test fills."""

    def __init__(self) -> None:
        self.facts: dict[str, status_pb.GetPartnerFactsResponse] = {}
        self.calls: list[status_pb.GetPartnerFactsRequest] = []
        self.metadata: list[dict[str, str]] = []

    def set(self, partner_id: str, *, contract_accepted: bool = True, certified: int = 1, terminated: bool = False):
        self.facts[partner_id] = status_pb.GetPartnerFactsResponse(
            partner_id=partner_id,
            exists=True,
            terminated=terminated,
            contract_accepted=contract_accepted,
            tier=status_pb2.PARTNER_TIER_BUSINESS,
            certified_employee_count=certified,
        )

    async def GetPartnerFacts(self, request, context):
        self.calls.append(request)
        self.metadata.append(dict(context.invocation_metadata()))
        return self.facts.get(
            request.partner_id, status_pb.GetPartnerFactsResponse(partner_id=request.partner_id, exists=False)
        )


@dataclass
class EventTap:
    """Every licensing event published in this test's namespace, decoded."""

    envelopes: list[EventEnvelope] = field(default_factory=list)

    def of_type(self, payload_type: type[Message]) -> list[Any]:
        found = []
        for envelope in self.envelopes:
            if envelope.type == payload_type.DESCRIPTOR.full_name:
                payload = payload_type()
                envelope.payload.Unpack(payload)
                found.append(payload)
        return found

    async def wait_for(
        self, payload_type: type[Message], predicate: Callable[[Any], bool] = lambda _: True, count: int = 1
    ) -> list[Any]:
        async def check() -> Any:
            matches = [p for p in self.of_type(payload_type) if predicate(p)]
            return matches if len(matches) >= count else None

        result: list[Any] = await eventually(check)
        return result


@dataclass
class Harness:
    app: ServerApp
    stub: pb_grpc.LicensingServiceStub
    channel: grpc.aio.Channel
    clock: FixedClock
    db: Database
    bus: EventBus
    naming: Naming
    tap: EventTap
    tokens: Tokens
    status: FakeStatusService

    def staff(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.staff())

    def system(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.system())

    def partner(self, partner_id: str, role: Any = None) -> tuple[tuple[str, str], ...]:
        if role is None:
            return self.tokens.metadata(self.tokens.partner_user(partner_id))
        return self.tokens.metadata(self.tokens.partner_user(partner_id, role))

    async def publish(self, producer: str, payload: Message, partner_id: str) -> str:
        envelope = make_envelope(payload, source=producer, time=self.clock.now(), partner_id=partner_id)
        subject = self.naming.subject_for(envelope.type)
        await self.bus.js.publish(subject, envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})
        return envelope.id

    async def handled(self, event_id: str) -> None:
        """Wait until a consumer recorded the event in its inbox."""
        await eventually(lambda: self.scalar(f"SELECT count(*) FROM inbox WHERE event_id = '{event_id}'"))

    async def publish_and_wait(self, producer: str, payload: Message, partner_id: str) -> None:
        await self.handled(await self.publish(producer, payload, partner_id))

    async def scalar(self, sql: str) -> Any:
        async with self.db.engine.connect() as conn:
            return (await conn.execute(sa.text(sql))).scalar()

    async def rows(self, sql: str) -> list[Any]:
        async with self.db.engine.connect() as conn:
            return list((await conn.execute(sa.text(sql))).all())

    async def refused(self, call: Any, code: grpc.StatusCode, reason: str) -> grpc.aio.AioRpcError:
        """Await a call that must fail with ``code`` and ErrorInfo ``reason``."""
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        error = raised.value
        status = status_from_rpc_error(error)
        info = error_info(status) if status is not None else None
        assert error.code() is code, error.details()
        assert info is not None and info.reason == reason, (info, error.details())
        return error

    @staticmethod
    def violations(error: grpc.aio.AioRpcError) -> list[str]:
        status = status_from_rpc_error(error)
        return [v.field for v in field_violations(status)] if status is not None else []

    async def counts(self) -> dict[str, int]:
        return {table: int(await self.scalar(f"SELECT count(*) FROM {table}")) for table in DATA_TABLES}


@pytest.fixture
async def licensing(
    make_pg_database, nats_server, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[Harness]:
    status = FakeStatusService()
    status_server = grpc.aio.server()
    status_grpc.add_StatusServiceServicer_to_server(status, status_server)
    status_port = status_server.add_insecure_port("127.0.0.1:0")
    await status_server.start()

    url = await make_pg_database()
    await upgrade_async(MIGRATIONS_DIR, url)
    settings = LicensingSettings(
        grpc_port=0,
        database_url=url,
        nats_url=nats_server.url,
        nats_namespace=nats_namespace,
        jwt_secret=TEST_JWT_SECRET,
        scheduler_enabled=False,
        relay_poll_seconds=0.05,
        shutdown_grace_seconds=0.5,
        status_address=f"127.0.0.1:{status_port}",
    )
    rng = random.Random(20261125)
    ids = itertools.count(1)
    app = await build_app(settings, clock=clock, new_id=lambda: f"id-{next(ids)}", random_bytes=rng.randbytes)
    port = await app.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    naming = Naming(nats_namespace)
    bus = EventBus(nats_server.url, naming, client_name="licensing-test")
    await bus.connect()
    for producer in ("status", "points", "compliance", "licensing"):
        await bus.ensure_stream(producer)
    tap = EventTap()

    async def collect(msg: Any) -> None:
        envelope = EventEnvelope()
        envelope.ParseFromString(msg.data)
        tap.envelopes.append(envelope)

    await bus.js.subscribe(
        f"{nats_namespace}.licensing.v1.>", cb=collect, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
    )
    harness = Harness(
        app=app,
        stub=pb_grpc.LicensingServiceStub(channel),
        channel=channel,
        clock=clock,
        db=Database(url),
        bus=bus,
        naming=naming,
        tap=tap,
        tokens=tokens,
        status=status,
    )
    yield harness
    await channel.close()
    await app.stop()
    await bus.close()
    await harness.db.dispose()
    await status_server.stop(0)


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
