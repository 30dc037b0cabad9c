"""A real service in-process for API tests: its ServerApp on a free port, a channel to it,
its database, a JetStream connection and a tap on the events it publishes.

Each service's tests subclass :class:`ServiceHarness` with their stub, fakes and
domain-specific helpers; this module knows no service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import grpc
import sqlalchemy as sa
from google.protobuf.message import Message

from ppcore.auth import PartnerRole
from ppcore.bus import EventBus
from ppcore.clock import FixedClock
from ppcore.db import Database
from ppcore.events import Naming
from ppcore.server import ServerApp
from ppcore.testing.errors import assert_refused
from ppcore.testing.events import EventTap, publish_envelope
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens
from ppcore.testing.polling import eventually

T = TypeVar("T")
H = TypeVar("H", bound="ServiceHarness")

Metadata = tuple[tuple[str, str], ...]


def service_settings(database_url: str, nats_url: str, nats_namespace: str, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for a service's settings class in tests: a free port, the test
    JWT secret, no scheduler, a fast outbox relay and a short shutdown grace."""
    values: dict[str, Any] = {
        "grpc_port": 0,
        "database_url": database_url,
        "nats_url": nats_url,
        "nats_namespace": nats_namespace,
        "jwt_secret": TEST_JWT_SECRET,
        "scheduler_enabled": False,
        "relay_poll_seconds": 0.05,
        "shutdown_grace_seconds": 0.5,
    }
    values.update(overrides)
    return values


@dataclass
class RunningApp:
    """A started ServerApp and an insecure channel to it."""

    app: ServerApp
    channel: grpc.aio.Channel

    async def stop(self) -> None:
        await self.channel.close()
        await self.app.stop()


async def start_app(app: ServerApp) -> RunningApp:
    """Start ``app`` (configured with ``grpc_port=0``) and open a channel to its port."""
    port = await app.start()
    return RunningApp(app, grpc.aio.insecure_channel(f"127.0.0.1:{port}"))


@dataclass
class FakeServer:
    """A real grpc.aio server on a free port serving a test's fake servicer."""

    server: grpc.aio.Server
    address: str

    async def stop(self) -> None:
        await self.server.stop(0)


async def start_fake_server(register: Callable[[grpc.aio.Server], None]) -> FakeServer:
    """Start a server with what ``register`` adds (e.g. ``lambda s: add_XServicer_to_server(fake, s)``)."""
    server = grpc.aio.server()
    register(server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return FakeServer(server, f"127.0.0.1:{port}")


@dataclass
class ServiceHarness:
    """The common part of a service's API-test harness."""

    app: ServerApp
    channel: grpc.aio.Channel
    clock: FixedClock
    db: Database
    bus: EventBus
    naming: Naming
    tap: EventTap
    tokens: Tokens

    data_tables: ClassVar[tuple[str, ...]] = ()
    """The tables :meth:`counts` reports."""

    def staff(self) -> Metadata:
        return self.tokens.metadata(self.tokens.staff())

    def system(self) -> Metadata:
        return self.tokens.metadata(self.tokens.system())

    def sales(self) -> Metadata:
        return self.tokens.metadata(self.tokens.sales_platform())

    def partner(self, partner_id: str, role: PartnerRole | None = None) -> Metadata:
        if role is None:
            return self.tokens.metadata(self.tokens.partner_user(partner_id))
        return self.tokens.metadata(self.tokens.partner_user(partner_id, role))

    async def publish(self, producer: str, payload: Message, partner_id: str) -> str:
        """Publish ``producer``'s event on JetStream now (by the harness clock); the event id."""
        return await publish_envelope(
            self.bus.js, self.naming, payload, source=producer, time=self.clock.now(), partner_id=partner_id
        )

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

    async def refused(self, call: Awaitable[Any], code: grpc.StatusCode, reason: str) -> grpc.aio.AioRpcError:
        """Await a call that must fail with ``code`` and ErrorInfo ``reason`` (unless empty)."""
        return await assert_refused(call, code, reason)

    async def eventually(self, check: Callable[[], Awaitable[T]]) -> T:
        return await eventually(check)

    async def counts(self) -> dict[str, int]:
        """Row counts of :attr:`data_tables`."""
        return {table: int(await self.scalar(f"SELECT count(*) FROM {table}")) for table in self.data_tables}

    async def close(self) -> None:
        await self.channel.close()
        await self.app.stop()
        await self.bus.close()
        await self.db.dispose()


async def start_harness(
    cls: type[H],
    app: ServerApp,
    *,
    database_url: str,
    nats_url: str,
    nats_namespace: str,
    producer: str,
    consumes: Iterable[str],
    clock: FixedClock,
    tokens: Tokens,
    **extra: Any,
) -> H:
    """Start ``app``, connect to JetStream (streams of ``consumes`` and ``producer`` ensured),
    tap ``producer``'s events and build ``cls`` (``extra`` are its own fields)."""
    running = await start_app(app)
    naming = Naming(nats_namespace)
    bus = EventBus(nats_url, naming, client_name=f"{producer}-test")
    await bus.connect()
    for stream in (*consumes, producer):
        await bus.ensure_stream(stream)
    tap = await EventTap.subscribe(bus.js, naming, producer)
    return cls(
        app=app,
        channel=running.channel,
        clock=clock,
        db=Database(database_url),
        bus=bus,
        naming=naming,
        tap=tap,
        tokens=tokens,
        **extra,
    )
