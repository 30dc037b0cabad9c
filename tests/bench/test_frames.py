"""The bench's prepared-frame load generator (bench/frames.py) against a real gRPC server,
the echo reference: it counts only calls that end with grpc-status 0, keeps the asked
number of calls in flight, and sends a working set exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bench.frames import prepare, run_frames, send_each_once
from partnerprogram.echo.v1 import echo_service_pb2 as pb
from ppcore.echo import EchoSettings, build_echo_app
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens

ECHO = "/partnerprogram.echo.v1.EchoService/Echo"
SLEEP = "/partnerprogram.echo.v1.EchoService/Sleep"


@pytest.fixture
async def echo_address() -> AsyncIterator[str]:
    app = build_echo_app(EchoSettings(grpc_port=0, jwt_secret=TEST_JWT_SECRET, shutdown_grace_seconds=5))
    port = await app.start()
    yield f"127.0.0.1:{port}"
    await app.stop()


async def test_answered_calls_are_counted_with_their_latency(echo_address: str, tokens: Tokens) -> None:
    requests = [pb.EchoRequest(payload=bytes([n]) * n) for n in range(1, 40)]
    calls = prepare(echo_address, ECHO, requests, tokens.metadata(tokens.sales_platform()))
    result = await run_frames(echo_address, calls, connections=2, streams=4, duration=1.0, warmup=0.2)
    assert result.errors == 0
    assert result.calls > 50
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms
    assert result.concurrency == 8 and result.client_cpu_us_per_call > 0


async def test_a_call_refused_by_the_server_is_an_error_not_a_call(echo_address: str, tokens: Tokens) -> None:
    staff_only = prepare(
        echo_address, SLEEP, [pb.SleepRequest(milliseconds=1)], tokens.metadata(tokens.sales_platform())
    )
    result = await run_frames(echo_address, staff_only, connections=1, streams=4, duration=0.5, warmup=0.1)
    assert result.calls == 0 and result.errors > 0  # PERMISSION_DENIED arrives as a trailer, HTTP 200


async def test_the_calls_in_flight_are_kept_at_connections_times_streams(echo_address: str, tokens: Tokens) -> None:
    calls = prepare(echo_address, SLEEP, [pb.SleepRequest(milliseconds=50)], tokens.metadata(tokens.staff()))
    result = await run_frames(echo_address, calls, connections=2, streams=3, duration=1.0, warmup=0.2)
    assert result.errors == 0
    assert result.p50_ms >= 50
    # 6 in flight, 50 ms each: at most 6 x 20 answered in a second, and most of them.
    assert 60 <= result.calls <= 6 * 20 + 6


async def test_a_working_set_is_sent_exactly_once(echo_address: str, tokens: Tokens) -> None:
    refused = prepare(
        echo_address,
        SLEEP,
        [pb.SleepRequest(milliseconds=n) for n in range(37)],
        tokens.metadata(tokens.sales_platform()),
    )
    assert await send_each_once(echo_address, refused, connections=3, streams=4) == 37
    answered = prepare(
        echo_address, ECHO, [pb.EchoRequest(payload=b"x")] * 37, tokens.metadata(tokens.sales_platform())
    )
    assert await send_each_once(echo_address, answered, connections=3, streams=4) == 0
