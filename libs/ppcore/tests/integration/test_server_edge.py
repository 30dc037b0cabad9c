"""The server's edge over real gRPC: malformed bodies, refusal sizes, reflection setting (issue 12)."""

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from ppcore.echo import EchoSettings, build_echo_app
from ppcore.testing.plugin import TEST_JWT_SECRET, Tokens


async def _started(**extra):
    app = build_echo_app(EchoSettings(grpc_port=0, jwt_secret=TEST_JWT_SECRET, shutdown_grace_seconds=1, **extra))
    port = await app.start()
    return app, grpc.aio.insecure_channel(f"127.0.0.1:{port}")


async def test_a_body_that_does_not_parse_is_invalid_argument_without_a_traceback(tokens: Tokens, caplog):
    """Issue 12: "Malformed protobuf bodies get UNKNOWN and an error log line before
    authentication; answer INVALID_ARGUMENT ... without a stack trace per call"."""
    app, channel = await _started()
    try:
        raw = channel.unary_unary(
            "/partnerprogram.echo.v1.EchoService/Echo", request_serializer=None, response_deserializer=None
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await raw(b"\x0a\xff\xff\xff\xff\x0f", metadata=tokens.metadata(tokens.staff()), timeout=5)
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "not a valid protobuf message" in (caught.value.details() or "")
        assert not [r for r in caplog.records if r.exc_info or r.levelname in {"ERROR", "CRITICAL"}]
    finally:
        await channel.close()
        await app.stop()


async def test_reflection_can_be_turned_off():
    """Issue 12: "Reflection on by default for local runs, a setting to turn it off"."""
    app, channel = await _started(reflection_enabled=False)
    try:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)

        async def requests():
            yield reflection_pb2.ServerReflectionRequest(list_services="")

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _reply in stub.ServerReflectionInfo(requests()):
                pass
        assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
    finally:
        await channel.close()
        await app.stop()
