"""Durable JetStream pull consumers that apply each event exactly once.

For every message: decode the envelope, open the service's unit of work, skip it if the
inbox already holds its id, run the handler, record the id in the inbox, commit, and
only then ack. A crash after the commit and before the ack redelivers the message, and
the inbox turns the redelivery into a no-op.

Order: each consumer allows one unacknowledged message at a time
(``max_ack_pending=1``), so JetStream never hands out a later event while an earlier one
is pending or being redelivered; events of a partner are applied in publication order.
Failures: infrastructure errors (database down) are retried in place with capped
backoff, keeping the message in progress; a handler that keeps refusing a message (a
``DomainError`` or an undecodable payload) moves it to the dead-letter subject after
``max_attempts`` tries, with a log line, and the consumer goes on.
A watchdog recreates the pull subscription after a NATS reconnect or when fetches keep
failing, because a pull subscription can stall after a server restart.
Each event is handled in a consumer span whose parent is the envelope's trace context,
with one ``events.handled`` line naming the event, its trace id and the time taken; lag
(messages not yet handed out), redeliveries and dead letters are metrics per consumer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import nats.errors
import sqlalchemy as sa
from google.protobuf.message import DecodeError, Message
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.exc import IntegrityError

from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore import metrics, tracing
from ppcore.bus import EventBus
from ppcore.errors import DomainError
from ppcore.logging import bound_context, get_logger
from ppcore.request_context import set_correlation_id
from ppcore.uow import SqlUnitOfWork

log = get_logger("ppcore.consumer")

U = TypeVar("U", bound=SqlUnitOfWork)
P = TypeVar("P", bound=Message)

Handler = Callable[[U, EventEnvelope, Any], Awaitable[None]]


@dataclass(frozen=True)
class Route(Generic[U]):
    """How to handle one event type: the payload class and the handler."""

    payload_type: type[Message]
    handler: Callable[[U, EventEnvelope, Any], Awaitable[None]]


@dataclass
class ConsumerFaults:
    """Test hooks at the points where a crash matters."""

    after_commit: Callable[[EventEnvelope], Awaitable[None]] | None = None


@dataclass
class Subscription(Generic[U]):
    """One durable consumer of one producer's stream."""

    durable: str  # "<consumer>-<producer>", e.g. "licensing-status"
    producer: str  # the stream's owner, e.g. "status"
    routes: Mapping[str, Route[U]]  # full payload type name -> route


class _Unhandleable(Exception):
    """The message can never be applied as it is (bad payload)."""


class EventConsumer(Generic[U]):
    def __init__(
        self,
        bus: EventBus,
        subscription: Subscription[U],
        uow_factory: Callable[[], U],
        *,
        max_attempts: int = 6,
        fetch_timeout: float = 1.0,
        ack_wait: float = 30.0,
        faults: ConsumerFaults | None = None,
    ) -> None:
        self._bus = bus
        self._sub_spec = subscription
        self._uow_factory = uow_factory
        self._max_attempts = max_attempts
        self._fetch_timeout = fetch_timeout
        self._ack_wait = ack_wait
        self._faults = faults or ConsumerFaults()
        self._psub: Any = None
        self._resubscribe = asyncio.Event()
        self.handled = 0
        self.dead_lettered = 0
        self.last_progress = time.monotonic()
        bus.on_reconnect(self._on_reconnect)

    @property
    def name(self) -> str:
        return self._sub_spec.durable

    async def _on_reconnect(self) -> None:
        self._resubscribe.set()

    async def _subscribe(self) -> None:
        await self._unsubscribe()
        await self._bus.ensure_stream(self._sub_spec.producer)
        stream = self._bus.naming.stream_for(self._sub_spec.producer)
        config = ConsumerConfig(
            durable_name=self.name,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait,
            max_ack_pending=1,
            # One wildcard filter (works on every JetStream version); types without a
            # route are acked without touching the database.
            filter_subject=self._bus.naming.stream_subjects(self._sub_spec.producer)[0],
        )
        # pull_subscribe does not update an existing durable's config: add_consumer does
        # (create-or-update on the server).
        await self._bus.js.add_consumer(stream, config)
        self._psub = await self._bus.js.pull_subscribe_bind(durable=self.name, stream=stream)
        log.info("events.consumer.subscribed", consumer=self.name, stream=stream)

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch and apply messages until ``stop`` is set."""
        await self._bus.ensure_dlq_stream()
        try:
            await self._fetch_loop(stop)
        finally:
            # A pull subscription left behind makes the connection's drain wait its full
            # timeout at shutdown.
            await self._unsubscribe()

    async def _unsubscribe(self) -> None:
        if self._psub is not None:
            psub, self._psub = self._psub, None
            try:
                await psub.unsubscribe()
            except Exception:  # the old subscription may already be gone with the old connection
                pass

    async def _fetch_loop(self, stop: asyncio.Event) -> None:
        failing_since: float | None = None
        while not stop.is_set():
            try:
                if self._psub is None or self._resubscribe.is_set():
                    self._resubscribe.clear()
                    await self._subscribe()
                try:
                    messages = await self._psub.fetch(1, timeout=self._fetch_timeout)
                except (TimeoutError, nats.errors.TimeoutError):
                    failing_since = None
                    metrics.CONSUMER_LAG.labels(self.name).set(0)  # nothing was waiting
                    continue
                failing_since = None
                if not messages:
                    metrics.CONSUMER_LAG.labels(self.name).set(0)
                for msg in messages:
                    self._observe_delivery(msg)
                    await self._process(msg, stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                now = time.monotonic()
                failing_since = failing_since or now
                log.warning(
                    "events.consumer.fetch_failed", consumer=self.name, error=str(exc), error_type=type(exc).__name__
                )
                if now - failing_since > 2.0:
                    self._resubscribe.set()  # watchdog: a stalled subscription is rebuilt
                await asyncio.sleep(0.25)

    def _observe_delivery(self, msg: Msg) -> None:
        try:
            meta = msg.metadata
        except Exception:  # not a JetStream message (tests may hand in plain ones)
            return
        if meta.num_pending is not None:
            metrics.CONSUMER_LAG.labels(self.name).set(meta.num_pending)
        if (meta.num_delivered or 1) > 1:
            metrics.CONSUMER_REDELIVERIES.labels(self.name).inc()

    async def _process(self, msg: Msg, stop: asyncio.Event) -> None:
        attempt = 0
        backoff = 0.1
        while True:
            attempt += 1
            try:
                envelope = self._decode(msg)
                started = time.perf_counter()
                with (
                    tracing.span(
                        f"{self.name} {envelope.type}", tracing.SpanKind.CONSUMER, envelope.traceparent
                    ) as tid,
                    bound_context(
                        event_id=envelope.id,
                        event_type=envelope.type,
                        partner_id=envelope.partner_id,
                        consumer=self.name,
                        trace_id=tid,
                    ),
                ):
                    await self._apply(envelope)
                    if self._faults.after_commit is not None:
                        await self._faults.after_commit(envelope)
                    await msg.ack()
                    log.info("events.handled", attempt=attempt, ms=round((time.perf_counter() - started) * 1000, 3))
                metrics.CONSUMER_HANDLED.labels(self.name).inc()
                self.handled += 1
                self.last_progress = time.monotonic()
                return
            except (DomainError, _Unhandleable) as exc:
                if attempt >= self._max_attempts:
                    await self._dead_letter(msg, exc)
                    return
                log.warning("events.consumer.refused", consumer=self.name, attempt=attempt, error=str(exc))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Infrastructure trouble: keep the message and try again for as long as it takes.
                log.warning(
                    "events.consumer.retrying",
                    consumer=self.name,
                    attempt=attempt,
                    error=str(exc),
                    error_type=type(exc).__name__,
                )
            if stop.is_set():
                return  # unacked: JetStream redelivers it to whoever runs next
            try:
                await msg.in_progress()
            except Exception:  # connection gone: the ack would fail too; redelivery will follow
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    def _decode(self, msg: Msg) -> EventEnvelope:
        envelope = EventEnvelope()
        try:
            envelope.ParseFromString(msg.data)
        except DecodeError as exc:
            raise _Unhandleable(f"undecodable envelope: {exc}") from exc
        if not envelope.id:
            raise _Unhandleable("envelope without id")
        return envelope

    async def _apply(self, envelope: EventEnvelope) -> None:
        route = self._sub_spec.routes.get(envelope.type)
        if route is None:
            return
        async with self._uow_factory() as uow:
            inbox = uow.tables.inbox
            seen = await uow.session.execute(
                sa.select(inbox.c.event_id).where(inbox.c.consumer == self.name, inbox.c.event_id == envelope.id)
            )
            if seen.first() is not None:
                log.info("events.consumer.duplicate_skipped", consumer=self.name)
                return
            payload = route.payload_type()
            if not envelope.payload.Unpack(payload):
                raise _Unhandleable(f"payload is not a {route.payload_type.DESCRIPTOR.full_name}")
            set_correlation_id(envelope.id)
            await route.handler(uow, envelope, payload)
            await uow.session.execute(
                sa.insert(inbox).values(consumer=self.name, event_id=envelope.id, handled_at=uow.clock.now())
            )
            try:
                await uow.commit()
            except IntegrityError:
                # Another replica applied it between our check and our commit.
                log.info("events.consumer.duplicate_raced", consumer=self.name)

    async def _dead_letter(self, msg: Msg, exc: Exception) -> None:
        subject = self._bus.naming.dlq_subject(self.name)
        headers = {"Pp-Error": str(exc)[:500], "Pp-Original-Subject": msg.subject}
        try:
            await self._bus.js.publish(subject, msg.data, headers=headers)
            await msg.term()
            self.dead_lettered += 1
            metrics.CONSUMER_DEAD_LETTERS.labels(self.name).inc()
            log.error("events.consumer.dead_lettered", consumer=self.name, subject=subject, error=str(exc))
        except Exception as publish_exc:
            log.error("events.consumer.dead_letter_failed", consumer=self.name, error=str(publish_exc))
