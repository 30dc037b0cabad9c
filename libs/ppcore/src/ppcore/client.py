"""Channels from one process to another: TLS when configured, a bearer token on every
call, transparent retries of UNAVAILABLE (gRPC service config), a default deadline, calls
balanced round robin over every address the name resolves to (a headless Service's pods),
the trace context passed on, and client-side metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from ppcore import metrics, tracing
from ppcore.request_context import current_correlation_id

DEFAULT_DEADLINE_SECONDS = 5.0

_SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "2s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ],
    }
)


@dataclass(frozen=True)
class ClientTls:
    ca_file: Path
    cert_file: Path | None = None
    key_file: Path | None = None

    def credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=self.ca_file.read_bytes(),
            private_key=self.key_file.read_bytes() if self.key_file else None,
            certificate_chain=self.cert_file.read_bytes() if self.cert_file else None,
        )


class _AuthAndDeadline(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    def __init__(self, token: Callable[[], str], deadline: float) -> None:
        self._token = token
        self._deadline = deadline

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata: Any = list(details.metadata or ())
        metadata.append(("authorization", f"Bearer {self._token()}"))
        correlation = current_correlation_id()
        if correlation:
            metadata.append(("x-request-id", correlation))
        method = details.method.decode() if isinstance(details.method, bytes) else str(details.method)
        service_name, _, method_name = method.lstrip("/").partition("/")
        with tracing.span(method, tracing.SpanKind.CLIENT, tracing.current_traceparent()):
            traceparent = tracing.current_traceparent()
            if traceparent:
                metadata.append((tracing.TRACEPARENT, traceparent))
            return await self._call(continuation, details, metadata, request, service_name, method_name)

    async def _call(
        self, continuation: Any, details: Any, metadata: Any, request: Any, service_name: str, method_name: str
    ) -> Any:
        timeout = details.timeout if details.timeout is not None else self._deadline
        new_details = grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=timeout,
            metadata=metadata,
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )
        started = time.perf_counter()
        call = await continuation(new_details, request)
        try:
            await call
        except grpc.aio.AioRpcError:
            pass  # the caller awaits the call and gets the error
        except BaseException:
            metrics.CLIENT_HANDLED.labels(service_name, method_name, "CANCELLED").inc()
            raise
        code = await call.code()
        metrics.observe_rpc("client", service_name, method_name, code.name, time.perf_counter() - started)
        if code is not grpc.StatusCode.OK:
            tracing.mark_error(code.name)
        return call


def make_channel(
    target: str,
    *,
    token: Callable[[], str],
    tls: ClientTls | None = None,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
    server_name_override: str | None = None,
) -> grpc.aio.Channel:
    options: list[tuple[str, Any]] = [
        ("grpc.service_config", _SERVICE_CONFIG),
        ("grpc.enable_retries", 1),
        ("grpc.keepalive_time_ms", 30_000),
    ]
    if server_name_override:
        options.append(("grpc.ssl_target_name_override", server_name_override))
    interceptors = [_AuthAndDeadline(token, deadline_seconds)]
    if tls is not None:
        return grpc.aio.secure_channel(target, tls.credentials(), options=options, interceptors=interceptors)
    return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
