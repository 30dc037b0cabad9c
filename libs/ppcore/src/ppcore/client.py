"""Channels from one process to another: TLS when configured, a bearer token on every
call, transparent retries of UNAVAILABLE (gRPC service config), and a default deadline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from ppcore.request_context import current_correlation_id

DEFAULT_DEADLINE_SECONDS = 5.0

_SERVICE_CONFIG = json.dumps(
    {
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
        ]
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
        timeout = details.timeout if details.timeout is not None else self._deadline
        new_details = grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=timeout,
            metadata=metadata,
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )
        return await continuation(new_details, request)


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
