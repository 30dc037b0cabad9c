"""Events on real JetStream in tests: publish a producer's envelope, tap what a service publishes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.message import Message
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore.events import Naming, make_envelope
from ppcore.testing.polling import WAIT_SECONDS, eventually

M = TypeVar("M", bound=Message)


async def publish_envelope(
    js: JetStreamContext, naming: Naming, payload: Message, *, source: str, time: datetime, partner_id: str = ""
) -> str:
    """Wrap ``payload`` in an envelope from ``source`` and publish it on its subject, as the
    producer's outbox relay would (``Nats-Msg-Id`` set for de-duplication). The event id."""
    envelope = make_envelope(payload, source=source, time=time, partner_id=partner_id)
    await js.publish(
        naming.subject_for(envelope.type), envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id}
    )
    return envelope.id


@dataclass
class EventTap:
    """Every envelope published on the subscribed subjects, in arrival order, decoded on demand."""

    envelopes: list[EventEnvelope] = field(default_factory=list)

    @classmethod
    async def subscribe(cls, js: JetStreamContext, naming: Naming, producer: str) -> EventTap:
        """Tap everything ``producer`` publishes under ``naming`` (from the start of its stream)."""
        tap = cls()

        async def collect(msg: Any) -> None:
            envelope = EventEnvelope()
            envelope.ParseFromString(msg.data)
            tap.envelopes.append(envelope)

        for subject in naming.stream_subjects(producer):
            await js.subscribe(subject, cb=collect, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
        return tap

    def of_type(self, payload_type: type[M]) -> list[M]:
        """The payloads of every tapped envelope of this type."""
        found: list[M] = []
        for envelope in self.envelopes:
            if envelope.type == payload_type.DESCRIPTOR.full_name:
                payload = payload_type()
                envelope.payload.Unpack(payload)
                found.append(payload)
        return found

    async def wait_for(
        self,
        payload_type: type[M],
        predicate: Callable[[M], bool] = lambda _: True,
        count: int = 1,
        *,
        within: float = WAIT_SECONDS,
    ) -> list[M]:
        """Wait until at least ``count`` payloads of this type match ``predicate``; all matches."""

        async def check() -> list[M] | None:
            matches = [p for p in self.of_type(payload_type) if predicate(p)]
            return matches if len(matches) >= count else None

        return await eventually(check, within=within)

    async def wait_for_one(
        self, payload_type: type[M], predicate: Callable[[M], bool] = lambda _: True, *, within: float = WAIT_SECONDS
    ) -> M:
        """Wait for a payload of this type matching ``predicate``; the first one."""
        return (await self.wait_for(payload_type, predicate, within=within))[0]
