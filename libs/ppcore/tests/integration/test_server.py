"""The shared server runner: health, reflection, auth, errors, TLS, graceful shutdown."""

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from partnerprogram.echo.v1 import echo_service_pb2 as pb
from partnerprogram.echo.v1 import echo_service_pb2_grpc as pb_grpc
from ppcore.auth import ON_BEHALF_OF, PartnerRole
from ppcore.echo import ECHO_ACCESS, EchoSettings, build_echo_app
from ppcore.testing.grpc import assert_auth_enforced
from ppcore.testing.nats import free_port
from ppcore.testing.pki import make_pki
from ppcore.testing.plugin import TEST_JWT_SECRET

ECHO = pb.DESCRIPTOR.services_by_name["EchoService"]


def _settings(**extra):
    return EchoSettings(grpc_port=0, jwt_secret=TEST_JWT_SECRET, shutdown_grace_seconds=5, **extra)


@pytest.fixture
async def echo_channel():
    app = build_echo_app(_settings())
    port = await app.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield channel
    await channel.close()
    await app.stop()


async def test_health_is_serving(echo_channel):
    stub = health_pb2_grpc.HealthStub(echo_channel)
    for service in ("", ECHO.full_name):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_service(echo_channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(echo_channel)

    async def requests():
        yield reflection_pb2.ServerReflectionRequest(list_services="")

    names = []
    async for reply in stub.ServerReflectionInfo(requests()):
        names = [s.name for s in reply.list_services_response.service]
    assert ECHO.full_name in names
    assert "grpc.health.v1.Health" in names


async def test_accepting_a_call_waits_on_one_pending_request_whatever_the_methods_served(tokens, monkeypatch):
    """grpc.aio waits on one pending request per registered method for every call it
    accepts; the server registers handlers as generic only, so it waits on one."""
    waited_on: list[int] = []
    real_wait = asyncio.wait

    async def recording_wait(futures, **options):
        task = asyncio.current_task()
        if task is not None and task.get_coro().__qualname__ == "AioServer._server_main_loop":
            waited_on.append(len(futures))
        return await real_wait(futures, **options)

    monkeypatch.setattr(asyncio, "wait", recording_wait)
    app = build_echo_app(_settings())
    port = await app.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            echo = pb_grpc.EchoServiceStub(channel)
            metadata = tokens.metadata(tokens.sales_platform())
            await asyncio.gather(*(echo.Echo(pb.EchoRequest(payload=b"x"), metadata=metadata) for _ in range(20)))
            health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
            assert health.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        await app.stop()
    assert waited_on, "grpc.aio no longer waits in its serving loop: re-check _GenericHandlersOnly"
    assert set(waited_on) == {1}


async def test_every_rpc_enforces_authentication_and_access(echo_channel, tokens):
    await assert_auth_enforced(echo_channel, ECHO, ECHO_ACCESS, tokens)


async def test_allowed_caller_gets_an_answer(echo_channel, tokens):
    stub = pb_grpc.EchoServiceStub(echo_channel)
    reply = await stub.Echo(pb.EchoRequest(payload=b"hi"), metadata=tokens.metadata(tokens.sales_platform()))
    assert reply.payload == b"hi"


async def test_only_a_system_may_call_on_behalf_of_an_end_user_and_only_with_its_valid_token(echo_channel, tokens):
    """x-on-behalf-of names the person a system serves (R-PD-01): another caller may not
    name one, and the named person's token is verified like any other."""
    stub = pb_grpc.EchoServiceStub(echo_channel)
    person = tokens.partner_user("p-1", PartnerRole.MAIN)
    system = tokens.metadata(tokens.system())
    reply = await stub.Echo(pb.EchoRequest(payload=b"hi"), metadata=(*system, (ON_BEHALF_OF, person)))
    assert reply.payload == b"hi"
    refusals = [
        (tokens.metadata(tokens.sales_platform()), person, grpc.StatusCode.PERMISSION_DENIED),
        (system, person[:-4] + "AAAA", grpc.StatusCode.UNAUTHENTICATED),
    ]
    for metadata, end_user, code in refusals:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.Echo(pb.EchoRequest(payload=b"hi"), metadata=(*metadata, (ON_BEHALF_OF, end_user)))
        assert refused.value.code() is code
        assert ON_BEHALF_OF in (refused.value.details() or "")


async def _calls_logged(sample, tokens):
    app = build_echo_app(_settings(access_log_sample=sample))
    port = await app.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.EchoServiceStub(channel)
            with capture_logs(processors=[merge_contextvars]) as lines:
                for n in range(3):
                    await stub.Echo(
                        pb.EchoRequest(payload=b"hi"),
                        metadata=(*tokens.metadata(tokens.sales_platform()), ("x-request-id", f"r{n}")),
                    )
                with pytest.raises(grpc.aio.AioRpcError):
                    await stub.Echo(pb.EchoRequest(payload=b"hi"), metadata=(("x-request-id", "anonymous"),))
    finally:
        await app.stop()
    return [line for line in lines if line["event"] == "rpc.completed"]


async def test_every_call_gets_one_completed_line_with_its_code_and_ids(tokens, caplog):
    """One line per call at info: method, code, duration, caller kind, request id."""
    caplog.set_level(logging.INFO, logger="ppcore.server")
    lines = await _calls_logged(1.0, tokens)
    assert [(line["request_id"], line["code"]) for line in lines] == [
        ("r0", "OK"),
        ("r1", "OK"),
        ("r2", "OK"),
        ("anonymous", "UNAUTHENTICATED"),
    ]
    assert all(line["rpc"] == f"/{ECHO.full_name}/Echo" and line["ms"] >= 0 for line in lines)
    assert {line["caller_kind"] for line in lines} == {"sales_platform", "anonymous"}
    assert all(line["log_level"] == "info" for line in lines)


async def test_sampling_drops_successful_calls_but_never_a_refused_one(tokens, caplog):
    caplog.set_level(logging.INFO, logger="ppcore.server")
    lines = await _calls_logged(0.0, tokens)
    assert [(line["request_id"], line["code"]) for line in lines] == [("anonymous", "UNAUTHENTICATED")]
    assert lines[0]["reason"]


async def test_mutual_tls_when_certificates_are_set(tmp_path, tokens):
    pki = make_pki(tmp_path)
    ca, (server_cert, server_key), (client_cert, client_key) = pki.ca_file, pki.server, pki.client
    app = build_echo_app(_settings(tls_cert_file=server_cert, tls_key_file=server_key, tls_ca_file=ca))
    port = await app.start()
    options = [("grpc.ssl_target_name_override", "localhost")]
    try:
        good = grpc.ssl_channel_credentials(ca.read_bytes(), client_key.read_bytes(), client_cert.read_bytes())
        async with grpc.aio.secure_channel(f"127.0.0.1:{port}", good, options=options) as channel:
            reply = await pb_grpc.EchoServiceStub(channel).Echo(
                pb.EchoRequest(payload=b"tls"), metadata=tokens.metadata(tokens.system()), timeout=5
            )
            assert reply.payload == b"tls"
        # Without a client certificate the handshake is refused.
        anonymous = grpc.ssl_channel_credentials(ca.read_bytes())
        async with grpc.aio.secure_channel(f"127.0.0.1:{port}", anonymous, options=options) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await pb_grpc.EchoServiceStub(channel).Echo(
                    pb.EchoRequest(), metadata=tokens.metadata(tokens.system()), timeout=5
                )
            assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
        # A plaintext client cannot talk to a TLS server.
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await pb_grpc.EchoServiceStub(channel).Echo(pb.EchoRequest(), timeout=2)
    finally:
        await app.stop()


async def test_services_call_each_other_over_mutual_tls_with_their_own_identity(tmp_path):
    """Client-side TLS between services: with <PREFIX>_TLS_CA_FILE/CERT/KEY set, the channel a
    process opens to another service (Platform.channel) verifies the server against the CA,
    presents its own certificate and carries its service token; without its certificate
    the other side refuses the handshake."""
    from ppcore.db import add_platform_tables, make_metadata
    from ppcore.runtime import Platform

    pki = make_pki(tmp_path)
    ca, (server_cert, server_key), (client_cert, client_key) = pki.ca_file, pki.server, pki.client
    app = build_echo_app(_settings(tls_cert_file=server_cert, tls_key_file=server_key, tls_ca_file=ca))
    port = await app.start()
    tables = add_platform_tables(make_metadata())
    caller = Platform.create(
        "points", _settings(tls_cert_file=client_cert, tls_key_file=client_key, tls_ca_file=ca), tables
    )
    no_identity = Platform.create("points", _settings(tls_ca_file=ca), tables)
    try:
        reply = await pb_grpc.EchoServiceStub(caller.channel(f"localhost:{port}")).Echo(
            pb.EchoRequest(payload=b"between services"), timeout=5
        )
        assert reply.payload == b"between services"
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await pb_grpc.EchoServiceStub(no_identity.channel(f"localhost:{port}")).Echo(pb.EchoRequest(), timeout=5)
        assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
    finally:
        await caller.close()
        await no_identity.close()
        await app.stop()


async def test_sigterm_lets_calls_in_flight_finish(tokens):
    port = free_port()
    env = {
        **os.environ,
        "ECHO_GRPC_PORT": str(port),
        "ECHO_JWT_SECRET": TEST_JWT_SECRET,
        "ECHO_SHUTDOWN_GRACE_SECONDS": "10",
    }
    proc = subprocess.Popen([sys.executable, "-m", "ppcore.echo"], env=env)
    try:
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        await asyncio.wait_for(channel.channel_ready(), timeout=15)
        stub = pb_grpc.EchoServiceStub(channel)
        metadata = tokens.metadata(tokens.system())
        calls = [
            asyncio.ensure_future(stub.Sleep(pb.SleepRequest(milliseconds=1500), metadata=metadata, timeout=20))
            for _ in range(50)
        ]
        await asyncio.sleep(0.5)  # all 50 are in flight now
        proc.send_signal(signal.SIGTERM)
        replies = await asyncio.gather(*calls)
        assert [r.slept_milliseconds for r in replies] == [1500] * 50
        assert proc.wait(timeout=15) == 0
        await channel.close()
    finally:
        if proc.poll() is None:
            proc.kill()


def _workers_that_answered(log_file) -> set[str]:
    workers = set()
    for line in log_file.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "rpc.completed" and entry.get("code") == "OK":
                workers.add(entry.get("worker"))
    return workers


async def test_several_processes_share_one_port_and_each_serves_calls(tmp_path, tokens):
    """Issue 16 (processes per service): with ECHO_PROCESSES=2 two server processes listen on
    the same port (SO_REUSEPORT); connections are spread over them and both answer calls.
    SIGTERM to the parent stops both, and the parent exits 0."""
    port = free_port()
    env = {
        **os.environ,
        "ECHO_GRPC_PORT": str(port),
        "ECHO_JWT_SECRET": TEST_JWT_SECRET,
        "ECHO_PROCESSES": "2",
        "ECHO_LOG_LEVEL": "INFO",
    }
    log_path = tmp_path / "echo.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "ppcore.echo"], env=env, stdout=log_file, stderr=log_file)
    try:
        metadata = tokens.metadata(tokens.system())
        deadline = asyncio.get_running_loop().time() + 60
        workers: set[str] = set()
        while workers != {"0", "1"}:
            assert asyncio.get_running_loop().time() < deadline, f"only workers {workers} answered"
            # New connections: the kernel picks a listening process per connection.
            channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for _ in range(8)]
            for channel in channels:
                await asyncio.wait_for(channel.channel_ready(), timeout=30)
                reply = await pb_grpc.EchoServiceStub(channel).Echo(
                    pb.EchoRequest(payload=b"hi"), metadata=metadata, timeout=10
                )
                assert reply.payload == b"hi"
                await channel.close()
            workers = _workers_that_answered(log_path)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
