"""The real status service in-process on PostgreSQL and NATS, and helpers to drive it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest
import sqlalchemy as sa
from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from partnerprogram.status.v1 import status_service_pb2_grpc as pb_grpc
from ppcore.clock import FixedClock
from ppcore.db import async_url
from ppcore.events import Naming
from ppcore.testing.errors import Refusal, refusal
from ppcore.testing.events import publish_envelope
from ppcore.testing.nats import NatsServer
from ppcore.testing.plugin import Tokens
from ppcore.testing.service import service_settings, start_app
from status_service.bootstrap import build_app
from status_service.config import StatusSettings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


@dataclass
class StatusApi:
    stub: pb_grpc.StatusServiceStub
    tokens: Tokens
    clock: FixedClock
    engine: AsyncEngine
    nats_url: str
    naming: Naming
    channel: grpc.aio.Channel

    def md(self, token: str | None = None) -> tuple[tuple[str, str], ...]:
        return self.tokens.metadata(token or self.tokens.staff())

    async def call(self, rpc: str, request: Message, token: str | None = None) -> Any:
        return await getattr(self.stub, rpc)(request, metadata=self.md(token), timeout=10)

    async def refused(self, rpc: str, request: Message, token: str | None = None) -> Refusal:
        return await refusal(self.call(rpc, request, token), require_details=True)

    async def count(self, table: str) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())

    async def employee_count(self, partner_id: str) -> int:
        async with self.engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM employees WHERE partner_id = :p")
            return int((await conn.execute(query, {"p": partner_id})).scalar_one())

    async def partner_of(self, login: str) -> str:
        async with self.engine.connect() as conn:
            query = sa.text("SELECT partner_id FROM employees WHERE login = :l")
            return str((await conn.execute(query, {"l": login})).scalar_one_or_none() or "")

    async def publish(self, payload: Message, *, source: str, partner_id: str = "") -> str:
        """Publish a producer's event on real JetStream, as the producer's relay would."""
        connection = await nats.connect(self.nats_url)
        try:
            return await publish_envelope(
                connection.jetstream(),
                self.naming,
                payload,
                source=source,
                time=self.clock.now(),
                partner_id=partner_id,
            )
        finally:
            await connection.close()

    async def published(self, type_name: str, *, expect: int = 1, wait: float = 10.0) -> list[EventEnvelope]:
        """Envelopes of one type on the status stream (the relay's output), waiting for ``expect``."""
        subject = self.naming.subject_for(type_name)
        connection = await nats.connect(self.nats_url)
        found: list[EventEnvelope] = []
        try:
            js = connection.jetstream()
            deadline = asyncio.get_running_loop().time() + wait
            while asyncio.get_running_loop().time() < deadline:
                found = []
                sub = await js.subscribe(subject, ordered_consumer=True)
                try:
                    while True:
                        try:
                            msg = await sub.next_msg(timeout=0.3)
                        except (TimeoutError, nats.errors.TimeoutError):
                            break
                        envelope = EventEnvelope()
                        envelope.ParseFromString(msg.data)
                        found.append(envelope)
                finally:
                    await sub.unsubscribe()
                if len(found) >= expect:
                    return found
                await asyncio.sleep(0.2)
        finally:
            await connection.close()
        return found


@asynccontextmanager
async def running_status(
    make_migrated_database: Callable[[Path], Awaitable[str]],
    nats_server: NatsServer,
    nats_namespace: str,
    clock: FixedClock,
    tokens: Tokens,
) -> AsyncIterator[StatusApi]:
    url = await make_migrated_database(MIGRATIONS_DIR)
    settings = StatusSettings(**service_settings(url, nats_server.url, nats_namespace))
    running = await start_app(await build_app(settings, clock=clock))
    engine = create_async_engine(async_url(url))
    try:
        yield StatusApi(
            pb_grpc.StatusServiceStub(running.channel),
            tokens,
            clock,
            engine,
            nats_server.url,
            Naming(nats_namespace),
            running.channel,
        )
    finally:
        await engine.dispose()
        await running.stop()


@pytest.fixture
async def api(
    make_migrated_database: Callable[[Path], Awaitable[str]],
    nats_server: NatsServer,
    nats_namespace: str,
    clock: FixedClock,
    tokens: Tokens,
) -> AsyncIterator[StatusApi]:
    """A fresh service per test (tests that move the clock or count events)."""
    async with running_status(make_migrated_database, nats_server, nats_namespace, clock, tokens) as started:
        yield started


@pytest.fixture(scope="module")
async def shared_api(
    make_migrated_database: Callable[[Path], Awaitable[str]], nats_server: NatsServer, tokens: Tokens
) -> AsyncIterator[StatusApi]:
    """One service for a module of tests that neither move the clock nor count globally."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    namespace = f"t{uuid.uuid4().hex[:10]}"
    async with running_status(make_migrated_database, nats_server, namespace, clock, tokens) as started:
        yield started


def applicant(login: str = "olena", **overrides: Any) -> partner_pb2.ApplicantData:
    values: dict[str, Any] = {
        "legal_form": partner_pb2.LEGAL_FORM_LEGAL_ENTITY,
        "company_name": "Webstudio LLC",
        "city": "Lviv",
        "contact_name": "Olena",
        "contact_email": f"{login}@example.ua",
        "contact_phone": "+380 44 123 4567",
        "activities": [partner_pb2.ACTIVITY_WEB_PROJECTS],
        "applicant_login": login,
        "personal_data_consent": True,
    }
    values.update(overrides)
    return partner_pb2.ApplicantData(**values)


async def record_certificates(
    api: StatusApi, logins: Sequence[str], courses: Sequence[str], issued_date: str = "2026-02-01"
) -> None:
    """The education portal records each login's certificates of each course (R-EMP-06)."""
    for n, login in enumerate(logins):
        for course in courses:
            await api.call(
                "RecordCertificate",
                pb.RecordCertificateRequest(
                    request_id=f"rc-{login}-{course}",
                    certificate_id=f"cert-{n}-{course}",
                    login=login,
                    course_code=course,
                    issued_date=issued_date,
                ),
                api.tokens.system(),
            )


async def publish_monitoring_completed(api: StatusApi, partner_id: str, completed: datetime) -> None:
    """Points announces a project through both monitoring stages (R-QM-04)."""
    done = timestamp_pb2.Timestamp()
    done.FromDatetime(completed)
    await api.publish(
        points_events.MonitoringCompleted(
            partner_id=partner_id, submission_id="m1", project_id="prj1", complete_time=done
        ),
        source="points",
        partner_id=partner_id,
    )


async def approved_partner(api: StatusApi, login: str = "olena") -> str:
    """Submit and approve an application; the partner id."""
    created = await api.call(
        "CreateApplication",
        pb.CreateApplicationRequest(request_id=f"c-{login}", data=applicant(login)),
        api.tokens.system(),
    )
    approved = await api.call(
        "ApproveApplication",
        pb.ApproveApplicationRequest(request_id=f"a-{login}", application_id=created.application.application_id),
    )
    return str(approved.partner.partner_id)


UKRAINIAN_REQUISITES = partner_pb2.ContractRequisites(
    legal_name="ТОВ Вебстудія",  # noqa: RUF001
    legal_address="м. Львів, вул. Городоцька, 1",
    registration_code="12345678",
    iban="UA" + "1" * 27,
    signatory="Олена Петренко",
)
