"""SIGTERM with calls in flight loses none of them (issue 12: "with 40 calls in flight,
SIGTERM made 13 to 40 of them fail (CANCELLED or UNAVAILABLE)").

Each process of the suite, on PostgreSQL, gets 50 concurrent calls of a List RPC that are
held inside the server (the test locks the tables the query reads); the server's own
in-flight gauge must show all 50 before SIGTERM. Health must turn NOT_SERVING, new calls
must then be refused, every one of the 50 calls must still succeed once the tables are
released, the process must close its database and NATS only after the last of them was
answered, and exit cleanly. Writes cut off by the grace period are retried after a
restart with the same request_id and take effect once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from suite_support import PLATFORM_TABLES, Process, Suite, drop_databases, dsn, start_suite

from partnerprogram.compliance.v1 import compliance_service_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2
from partnerprogram.points.v1 import points_service_pb2
from partnerprogram.status.v1 import status_service_pb2, status_service_pb2_grpc
from ppcore.testing.plugin import Tokens, require_postgres
from scripts.onboarding import applicant_data

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

IN_FLIGHT = 50
SERVICES = {
    "status": status_service_pb2.DESCRIPTOR.services_by_name["StatusService"],
    "points": points_service_pb2.DESCRIPTOR.services_by_name["PointsService"],
    "licensing": licensing_service_pb2.DESCRIPTOR.services_by_name["LicensingService"],
    "compliance": compliance_service_pb2.DESCRIPTOR.services_by_name["ComplianceService"],
    "gateway": gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"],
}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, nats_server: Any) -> Iterator[Suite]:
    asyncio.run(require_postgres())
    running = start_suite(
        tmp_path_factory.mktemp("stop"),
        nats_server.url,
        extra_env={
            "{prefix}_SHUTDOWN_GRACE_SECONDS": "30",
            "{prefix}_SHUTDOWN_NOTICE_SECONDS": "1",
            "{prefix}_LOG_LEVEL": "INFO",
            "{prefix}_ACCESS_LOG_SAMPLE": "1",
            "GATEWAY_DIRECTORY_CACHE_SECONDS": "0",
        },
    )
    try:
        yield running
    finally:
        running.stop()
        drop_databases(running)


def _stub(channel: grpc.aio.Channel, method: MethodDescriptor) -> Any:
    return channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=message_factory.GetMessageClass(method.output_type).FromString,
    )


async def _lists_that_answer(channel: grpc.aio.Channel, name: str, token: str) -> list[tuple[MethodDescriptor, Any]]:
    """The List RPCs of the service that staff can call with (almost) empty requests."""
    found = []
    for method in SERVICES[name].methods:
        if not method.name.startswith("List"):
            continue
        request = message_factory.GetMessageClass(method.input_type)()
        if "partner_id" in method.input_type.fields_by_name:
            request.partner_id = "p-1"
        try:
            await _stub(channel, method)(request, metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        except grpc.aio.AioRpcError:
            continue
        found.append((method, request))
    assert found, f"{name}: no List RPC answers"
    return found


async def _waiting_on_locks(conn: asyncpg.Connection, database: str) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", database
        )
    )


@pytest.mark.parametrize("name", list(SERVICES))
async def test_sigterm_with_fifty_calls_in_flight_fails_none(suite: Suite, tokens: Tokens, name: str):
    """Issue 12: "A test that sends SIGTERM to each process with 50 calls in flight: 0 failed calls"."""
    process = suite.processes[name]
    token = tokens.staff()
    metadata = (("authorization", f"Bearer {token}"),)
    channel = grpc.aio.insecure_channel(process.address)
    candidates = await _lists_that_answer(channel, name, token)
    holder = await asyncpg.connect(dsn(process.database_url))
    database = str(await holder.fetchval("SELECT current_database()"))
    tables = [
        r["tablename"]
        for r in await holder.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        if r["tablename"] not in PLATFORM_TABLES
    ]
    lock = holder.transaction()
    await lock.start()
    quoted = ", ".join(f'"{t}"' for t in tables)
    await holder.execute(f"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE")
    watcher = await asyncpg.connect(dsn(process.database_url))
    calls: list[asyncio.Future[Any]] = []
    held_rpc = ""
    saw_not_serving = False
    try:
        for method, request in candidates:  # the first List whose query the lock holds
            stub = _stub(channel, method)
            probe = asyncio.ensure_future(stub(request, metadata=metadata, timeout=60))
            deadline = time.monotonic() + 5
            while not probe.done() and await _waiting_on_locks(watcher, database) == 0 and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            if not probe.done() and await _waiting_on_locks(watcher, database) > 0:
                held_rpc = f"/{method.containing_service.full_name}/{method.name}"
                calls = [
                    probe,
                    *(
                        asyncio.ensure_future(stub(request, metadata=metadata, timeout=60))
                        for _ in range(IN_FLIGHT - 1)
                    ),
                ]
                break
            await asyncio.gather(probe, return_exceptions=True)
        assert calls, f"{name}: no List RPC reads a table the test can hold"
        await _wait_in_flight(process, IN_FLIGHT)
        assert not any(c.done() for c in calls), "calls finished before the stop; the lock did not hold them"
        process.log_records()  # what follows is the stop
        assert process.popen is not None
        process.popen.send_signal(15)
        health = health_pb2_grpc.HealthStub(channel)
        deadline = time.monotonic() + 30
        while True:  # health turns NOT_SERVING first, then new calls are refused
            try:
                reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
            except grpc.aio.AioRpcError:
                break
            saw_not_serving = saw_not_serving or reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
            assert time.monotonic() < deadline, "the server never stopped taking new calls"
            await asyncio.sleep(0.05)
        assert process.popen.poll() is None, "the process exited with calls in flight"
    finally:
        await lock.rollback()
        await holder.close()
        await watcher.close()
    results = await asyncio.gather(*calls, return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    await channel.close()
    assert not failed, f"{len(failed)} of {IN_FLIGHT} in-flight calls failed: {failed[:3]}"
    assert saw_not_serving, "health did not report NOT_SERVING before new calls were refused"
    assert await asyncio.to_thread(process.popen.wait, 60) == 0
    _assert_stop_sequence(process.log_records(), held_rpc)


async def _wait_in_flight(process: Process, count: int) -> None:
    """Until the server itself counts ``count`` calls received and not yet answered."""
    deadline = time.monotonic() + 60
    while (seen := await asyncio.to_thread(process.in_flight)) < count:
        assert time.monotonic() < deadline, f"only {seen} of {count} calls reached the server"
        await asyncio.sleep(0.05)


def _assert_stop_sequence(records: list[dict[str, Any]], rpc: str) -> None:
    """The process log after SIGTERM: stopping with all calls in flight, every one of them
    answered OK, and only then the database and NATS closed."""
    events = [r.get("event") for r in records]
    assert "server.stopping" in events and "server.closing_resources" in events, events[-10:]
    stopping = records[events.index("server.stopping")]
    # At least the test's 50: the other processes' calls to this one may be held too.
    assert int(stopping.get("in_flight", 0)) >= IN_FLIGHT, stopping
    closing = events.index("server.closing_resources")
    answered = [i for i, r in enumerate(records) if r.get("event") == "rpc.completed" and r.get("rpc") == rpc]
    assert len(answered) >= IN_FLIGHT, f"{len(answered)} answers logged"
    assert all(records[i].get("code") == "OK" for i in answered)
    assert max(answered) < closing, "the database and NATS were closed while calls were still in flight"
    drained = records[events.index("server.drained")]
    assert drained.get("in_flight") == 0 and events.index("server.drained") < closing, drained


async def test_writes_cut_off_by_the_grace_period_are_retried_once_with_the_same_request_id(
    suite: Suite, tokens: Tokens
):
    """Issue 12: "Writes cut off by the deadline must be safe to retry with the same request_id".
    Status gets a 1 s grace period; ten CreateApplication writes are held on a table lock past
    it, so the stop cancels them; after a restart the same requests take effect once each,
    and a second retry answers the same applications without adding any."""
    process = suite.processes["status"]
    await asyncio.to_thread(process.stop)
    process.env["STATUS_SHUTDOWN_GRACE_SECONDS"] = "1"
    process.env["STATUS_SHUTDOWN_NOTICE_SECONDS"] = "0"
    process.start()
    await process.ready(within=180)
    metadata = (("authorization", f"Bearer {tokens.system()}"),)
    requests = [
        status_service_pb2.CreateApplicationRequest(request_id=f"cut-{n}", data=applicant_data(f"cut{n}"))
        for n in range(10)
    ]
    holder = await asyncpg.connect(dsn(process.database_url))
    try:
        lock = holder.transaction()
        await lock.start()
        await holder.execute('LOCK TABLE "applications" IN ACCESS EXCLUSIVE MODE')
        channel = grpc.aio.insecure_channel(process.address)
        create = status_service_pb2_grpc.StatusServiceStub(channel).CreateApplication
        calls = [asyncio.ensure_future(create(r, metadata=metadata, timeout=60)) for r in requests]
        await _wait_in_flight(process, len(requests))
        assert process.popen is not None
        process.popen.send_signal(15)
        results = await asyncio.gather(*calls, return_exceptions=True)
        codes = {r.code() if isinstance(r, grpc.aio.AioRpcError) else "OK" for r in results}
        assert codes <= {grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE}, codes
        assert await asyncio.to_thread(process.popen.wait, 60) == 0
        await lock.rollback()
        await channel.close()
        assert await holder.fetchval("SELECT count(*) FROM applications") == 0, "a cut-off write half-applied"

        process.env["STATUS_SHUTDOWN_GRACE_SECONDS"] = "30"
        process.start()
        await process.ready(within=180)
        channel = grpc.aio.insecure_channel(process.address)
        create = status_service_pb2_grpc.StatusServiceStub(channel).CreateApplication
        first = [await create(r, metadata=metadata, timeout=60) for r in requests]
        again = [await create(r, metadata=metadata, timeout=60) for r in requests]
        await channel.close()
        assert [a.application.application_id for a in again] == [a.application.application_id for a in first]
        assert len({a.application.application_id for a in first}) == len(requests)
        assert await holder.fetchval("SELECT count(*) FROM applications") == len(requests)
    finally:
        await holder.close()
