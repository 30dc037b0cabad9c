"""NATS over TLS with a user and password, configured through the service settings
(issue 12: "NATS connections accept TLS and credentials settings"): events go through,
and a CA that does not trust the server, or a wrong password, stop the start-up at once
with an error naming the setting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from partnerprogram.echo.v1.echo_service_pb2 import EchoRequest
from ppcore.bus import EventBus, NatsSetupError
from ppcore.events import Naming
from ppcore.runtime import nats_security
from ppcore.settings import ServiceSettings
from ppcore.testing.events import EventTap, publish_envelope
from ppcore.testing.nats import NatsServer
from ppcore.testing.pki import Pki, make_pki
from ppcore.testing.plugin import TEST_JWT_SECRET

pytestmark = pytest.mark.nats

USER, PASSWORD = "status", "s3cret-for-tests"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_nats(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[NatsServer]:
    cert, key = pki.server
    server = NatsServer(
        Path(tmp_path_factory.mktemp("nats-tls")),
        extra_args=["--tls", "--tlscert", str(cert), "--tlskey", str(key), "--user", USER, "--pass", PASSWORD],
    )
    server.start()
    yield server
    server.stop()


def _bus(server: NatsServer, naming: Naming, **settings: Any) -> EventBus:
    values = {"grpc_port": 0, "database_url": "sqlite://", "jwt_secret": TEST_JWT_SECRET, **settings}
    return EventBus(server.url, naming, client_name="tls-test", security=nats_security(ServiceSettings(**values)))


async def test_events_go_through_tls_with_user_and_password(tls_nats: NatsServer, pki: Pki):
    naming = Naming(f"t{uuid.uuid4().hex[:10]}")
    settings = {"nats_tls_ca_file": pki.ca_file, "nats_user": USER, "nats_password": PASSWORD}
    producer, consumer = _bus(tls_nats, naming, **settings), _bus(tls_nats, naming, **settings)
    await producer.connect()
    await consumer.connect()
    try:
        assert producer.nc.connected_url is not None and producer.nc.client_id is not None
        await producer.ensure_stream("echo")
        tap = await EventTap.subscribe(consumer.js, naming, "echo")
        await publish_envelope(
            producer.js, naming, EchoRequest(payload=b"over tls"), source="echo", time=datetime.now(UTC)
        )
        received = await tap.wait_for_one(EchoRequest)
        assert received.payload == b"over tls"
    finally:
        await producer.close()
        await consumer.close()


async def test_a_ca_that_does_not_trust_the_server_fails_with_a_clear_error(tls_nats: NatsServer, tmp_path: Path):
    other = make_pki(tmp_path, ca_name="other-ca")
    bus = _bus(tls_nats, Naming("wrongca"), nats_tls_ca_file=other.ca_file, nats_user=USER, nats_password=PASSWORD)
    with pytest.raises(NatsSetupError, match=r"not trusted by .*other-ca\.crt \(nats_tls_ca_file\)"):
        await asyncio.wait_for(bus.connect(), timeout=60)


async def test_a_wrong_password_fails_with_a_clear_error(tls_nats: NatsServer, pki: Pki):
    bus = _bus(tls_nats, Naming("wrongpw"), nats_tls_ca_file=pki.ca_file, nats_user=USER, nats_password="wrong")
    with pytest.raises(NatsSetupError, match=r"refused user 'status'"):
        await asyncio.wait_for(bus.connect(), timeout=60)
