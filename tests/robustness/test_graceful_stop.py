"""SIGTERM with calls in flight loses none of them (issue 12: "with 40 calls in flight,
SIGTERM made 13 to 40 of them fail (CANCELLED or UNAVAILABLE)").

Each process of the suite, on PostgreSQL, gets 50 concurrent calls of a List RPC that are
held inside the server (the test locks the tables the query reads), then SIGTERM. Health
must turn NOT_SERVING, every one of the 50 calls must still succeed once the tables are
released, and the process must exit cleanly.
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
from suite_support import PLATFORM_TABLES, Suite, drop_databases, dsn, start_suite

from partnerprogram.compliance.v1 import compliance_service_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2
from partnerprogram.points.v1 import points_service_pb2
from partnerprogram.status.v1 import status_service_pb2
from ppcore.testing.plugin import Tokens, require_postgres

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
            "{prefix}_LOG_LEVEL": "WARNING",
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
    saw_not_serving = False
    try:
        for method, request in candidates:  # the first List whose query the lock holds
            stub = _stub(channel, method)
            probe = asyncio.ensure_future(stub(request, metadata=metadata, timeout=60))
            deadline = time.monotonic() + 5
            while not probe.done() and await _waiting_on_locks(watcher, database) == 0 and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            if not probe.done() and await _waiting_on_locks(watcher, database) > 0:
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
        await asyncio.sleep(0.5)  # let the remaining calls arrive and queue behind the pool
        assert not any(c.done() for c in calls), "calls finished before the stop; the lock did not hold them"
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
