"""uvicorn inside the gateway process, as one of its background tasks.

The process owns the signals (``ppcore.server.ServerApp`` stops on SIGTERM and then sets
the background stop event), so uvicorn's own signal handling is switched off and the
server exits when the stop event is set, letting requests in flight finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator

import grpc
import uvicorn
from starlette.types import ASGIApp

from ppcore.client import ClientTls
from ppcore.logging import get_logger

log = get_logger("gateway.http")


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield  # the process's signal handlers stay in charge


class HttpServer:
    """Serves ``app`` on ``host:port`` (port 0: a free port, read ``bound_port`` once ``started``)."""

    def __init__(
        self, app: ASGIApp, *, host: str, port: int, grace_seconds: float = 10.0, reuse_port: bool = False
    ) -> None:
        self.app = app
        self.reuse_port = reuse_port  # several gateway processes share the port
        self.host = host
        self.port = port
        self.grace_seconds = grace_seconds
        self.bound_port = 0
        self.started = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((self.host, self.port))
        self.bound_port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=int(self.grace_seconds) or None,
        )
        server = _EmbeddedServer(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        log.info("http.started", address=f"{self.host}:{self.bound_port}")
        self.started.set()
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait([serving, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            server.should_exit = True
            stopping.cancel()
            await serving
            sock.close()
            log.info("http.stopped")


def loopback_target(grpc_host: str, port: int) -> str:
    """This process's own gRPC server as seen from inside it."""
    host = "127.0.0.1" if grpc_host in {"0.0.0.0", "", "::"} else grpc_host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def loopback_channel(grpc_host: str, port: int, tls: ClientTls | None, server_name: str) -> grpc.aio.Channel:
    """A channel to this process's own gRPC server, carrying no token of its own: the HTTP
    caller's ``Authorization`` header is passed per call."""
    target = loopback_target(grpc_host, port)
    if tls is None:
        return grpc.aio.insecure_channel(target)
    return grpc.aio.secure_channel(target, tls.credentials(), options=[("grpc.ssl_target_name_override", server_name)])
