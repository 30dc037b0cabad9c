"""Event envelope and subject naming shared by producers and consumers.

Subject of a payload ``partnerprogram.status.v1.StatusChanged`` is
``partnerprogram.status.v1.status_changed``; the stream of producer ``status`` is
``PARTNERPROGRAM_STATUS`` over ``partnerprogram.status.v1.>``. A namespace other than
``partnerprogram`` (tests) replaces the first subject token and the stream prefix.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import datetime

from google.protobuf import any_pb2
from google.protobuf.message import Message

from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore.timestamps import timestamp

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@functools.cache
def snake_case(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


@dataclass(frozen=True)
class Naming:
    """Subjects and stream names under one namespace (``partnerprogram`` in production)."""

    namespace: str = "partnerprogram"

    def subject_for(self, message_full_name: str) -> str:
        package, _, name = message_full_name.rpartition(".")
        _, _, rest = package.partition(".")  # drop the leading "partnerprogram"
        return f"{self.namespace}.{rest}.{snake_case(name)}"

    def stream_for(self, producer: str) -> str:
        return f"{self.namespace.upper()}_{producer.upper()}"

    def stream_subjects(self, producer: str) -> list[str]:
        return [f"{self.namespace}.{producer}.v1.>"]

    @property
    def dlq_stream(self) -> str:
        return f"{self.namespace.upper()}_DLQ"

    def dlq_subject(self, durable: str) -> str:
        return f"{self.namespace}.dlq.{durable}"


def new_event_id() -> str:
    """A random (version 4) UUID as 32 hex digits, as ``uuid.uuid4().hex`` gives, without
    building a UUID object (a run that announces thousands of changes makes one per event)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()


def make_envelope(
    payload: Message,
    *,
    source: str,
    time: datetime,
    partner_id: str = "",
    correlation_id: str = "",
    policy_version: str = "",
    event_id: str | None = None,
    traceparent: str = "",
) -> EventEnvelope:
    packed = any_pb2.Any()
    packed.Pack(payload)
    return EventEnvelope(
        id=event_id or new_event_id(),
        type=payload.DESCRIPTOR.full_name,
        source=source,
        time=timestamp(time),
        partner_id=partner_id,
        correlation_id=correlation_id,
        payload=packed,
        policy_version=policy_version,
        traceparent=traceparent,
    )
