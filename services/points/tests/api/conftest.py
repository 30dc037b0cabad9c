"""The real points service in-process, on a fresh PostgreSQL database and real NATS, with a
fake licensing key registry (VerifyKey) on a real grpc.aio server.

The harness publishes status and compliance events on JetStream, taps the events points
publishes, and reads the database to prove what was (and was not) written.
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

from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.licensing.v1 import license_key_pb2 as lk
from partnerprogram.licensing.v1 import licensing_service_pb2 as lic_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as lic_grpc
from partnerprogram.points.v1 import points_service_pb2_grpc as pb_grpc
from partnerprogram.status.v1 import events_pb2 as status_events
from points_service.__main__ import MIGRATIONS_DIR
from points_service.bootstrap import build_app
from points_service.config import PointsSettings
from ppcore.bus import EventBus
from ppcore.clock import FixedClock
from ppcore.db import Database
from ppcore.events import Naming, make_envelope
from ppcore.grpc_errors import error_info, status_from_rpc_error
from ppcore.migrations import upgrade_async
from ppcore.server import ServerApp
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens

WAIT_SECONDS = 10.0
DATA_TABLES = ("ledger_entries", "projects", "orders", "monitoring_submissions", "point_requests", "outbox")


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
        }
        self.calls: list[dict[str, str]] = []

    async def VerifyKey(self, request: lic_pb.VerifyKeyRequest, context: Any) -> lic_pb.VerifyKeyResponse:
        self.calls.append(dict(context.invocation_metadata()))
        found = self.verdicts.get(request.key)
        if found is None:
            found = lk.KeyVerdict(valid=False, reason=lk.VERIFY_REASON_UNKNOWN)
        return lic_pb.VerifyKeyResponse(verdict=found)


@dataclass
class EventTap:
    """Every points event published in this test's namespace, decoded."""

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
    stub: pb_grpc.PointsServiceStub
    channel: grpc.aio.Channel
    clock: FixedClock
    db: Database
    bus: EventBus
    naming: Naming
    tap: EventTap
    tokens: Tokens
    keys: FakeKeyRegistry

    def staff(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.staff())

    def system(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.system())

    def sales(self) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(self.tokens.sales_platform())

    def partner(self, partner_id: str, role: Any = None) -> tuple[tuple[str, str], ...]:
        if role is None:
            return self.tokens.metadata(self.tokens.partner_user(partner_id))
        return self.tokens.metadata(self.tokens.partner_user(partner_id, role))

    async def publish(self, producer: str, payload: Message, partner_id: str) -> str:
        envelope = make_envelope(payload, source=producer, time=self.clock.now(), partner_id=partner_id)
        subject = self.naming.subject_for(envelope.type)
        await self.bus.js.publish(subject, envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})
        return envelope.id

    async def publish_and_wait(self, producer: str, payload: Message, partner_id: str) -> None:
        event_id = await self.publish(producer, payload, partner_id)
        await eventually(lambda: self.scalar(f"SELECT count(*) FROM inbox WHERE event_id = '{event_id}'"))

    async def approve_partners(self, *partner_ids: str) -> None:
        """Status's PartnerApproved, consumed into points' local copy of partners."""
        for partner_id in partner_ids:
            await self.publish_and_wait(
                "status", status_events.PartnerApproved(partner_id=partner_id, company_name=partner_id), partner_id
            )

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
        if reason:
            assert info is not None and info.reason == reason, (info, error.details())
        return error

    async def counts(self) -> dict[str, int]:
        return {table: int(await self.scalar(f"SELECT count(*) FROM {table}")) for table in DATA_TABLES}


@pytest.fixture
async def points(
    make_pg_database: Any, nats_server: Any, nats_namespace: str, clock: FixedClock, tokens: Tokens
) -> AsyncIterator[Harness]:
    keys = FakeKeyRegistry()
    licensing_server = grpc.aio.server()
    lic_grpc.add_LicensingServiceServicer_to_server(keys, licensing_server)
    licensing_port = licensing_server.add_insecure_port("127.0.0.1:0")
    await licensing_server.start()

    url = await make_pg_database()
    await upgrade_async(MIGRATIONS_DIR, url)
    settings = PointsSettings(
        grpc_port=0,
        database_url=url,
        nats_url=nats_server.url,
        nats_namespace=nats_namespace,
        jwt_secret=TEST_JWT_SECRET,
        scheduler_enabled=False,
        relay_poll_seconds=0.05,
        shutdown_grace_seconds=0.5,
        licensing_address=f"127.0.0.1:{licensing_port}",
    )
    app = await build_app(settings, clock=clock)
    port = await app.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    naming = Naming(nats_namespace)
    bus = EventBus(nats_server.url, naming, client_name="points-test")
    await bus.connect()
    for producer in ("status", "compliance", "points"):
        await bus.ensure_stream(producer)
    tap = EventTap()

    async def collect(msg: Any) -> None:
        envelope = EventEnvelope()
        envelope.ParseFromString(msg.data)
        tap.envelopes.append(envelope)

    await bus.js.subscribe(
        f"{nats_namespace}.points.v1.>", cb=collect, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
    )
    harness = Harness(
        app=app,
        stub=pb_grpc.PointsServiceStub(channel),
        channel=channel,
        clock=clock,
        db=Database(url),
        bus=bus,
        naming=naming,
        tap=tap,
        tokens=tokens,
        keys=keys,
    )
    yield harness
    await channel.close()
    await app.stop()
    await bus.close()
    await harness.db.dispose()
    await licensing_server.stop(0)
