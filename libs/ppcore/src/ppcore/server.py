"""The grpc.aio server runner every process uses.

It registers the health service (grpcio-health-checking) and reflection
(grpcio-reflection), wraps every RPC with one interceptor (log context, authentication,
authorization, error mapping, access log), serves TLS when certificates are configured,
and shuts down gracefully on SIGTERM: health NOT_SERVING, stop accepting calls, let
in-flight calls finish within the grace period, stop background tasks, then run the
shutdown hooks (drain NATS, close the database).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from ppcore import metrics, tracing
from ppcore.auth import (
    ANONYMOUS,
    ON_BEHALF_OF,
    AccessTable,
    Caller,
    CallerKind,
    TokenVerifier,
    authorize,
    set_current_caller,
    set_current_token,
    set_current_viewer,
)
from ppcore.errors import DomainError, PermissionDenied, Unauthenticated
from ppcore.grpc_errors import rich_status
from ppcore.logging import bound_context, get_logger
from ppcore.request_context import set_correlation_id
from ppcore.validation import check_request, tolerant_deserializer

log = get_logger("ppcore.server")
# Checked before building a line, so a process logging at WARNING pays nothing per call.
_access_log = logging.getLogger("ppcore.server")


def loggable_caller(caller: Caller) -> str:
    """The caller as log lines name it. People (partner users, staff) are named by a short
    digest of their login, never the login itself (often an e-mail address): calls of one
    person can still be told apart and matched, without personal data in the logs."""
    if caller.kind in (CallerKind.PARTNER_USER, CallerKind.STAFF):
        digest = hashlib.sha256(caller.subject.encode()).hexdigest()[:12]
        return f"{caller.kind.value}:~{digest}"
    return f"{caller.kind.value}:{caller.subject}"


BackgroundTask = Callable[[asyncio.Event], Awaitable[None]]
ShutdownHook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class GrpcService:
    """One gRPC service of a process: the servicer, how to register it, and its access table."""

    descriptor: ServiceDescriptor
    servicer: object
    add_to_server: Callable[[Any, grpc.aio.Server], None]
    access: AccessTable

    def check_access_complete(self) -> None:
        missing = [m.name for m in self.descriptor.methods if m.name not in self.access]
        extra = set(self.access) - {m.name for m in self.descriptor.methods}
        if missing or extra:
            raise RuntimeError(
                f"access table of {self.descriptor.full_name}: missing {missing}, unknown {sorted(extra)}"
            )


@dataclass(frozen=True)
class TlsFiles:
    cert_file: Path
    key_file: Path
    ca_file: Path | None = None

    def server_credentials(self) -> grpc.ServerCredentials:
        ca = self.ca_file.read_bytes() if self.ca_file else None
        return grpc.ssl_server_credentials(
            [(self.key_file.read_bytes(), self.cert_file.read_bytes())],
            root_certificates=ca,
            require_client_auth=ca is not None,
        )


class _CallInterceptor(grpc.aio.ServerInterceptor):
    """Per call: bind log context, authenticate, authorize, map errors, log the outcome."""

    def __init__(self, access: Mapping[str, AccessTable], verifier: TokenVerifier, log_sample: float = 1.0) -> None:
        self._access = access  # service full name -> table
        self._verifier = verifier
        self._log_sample = log_sample
        # Method path -> (the servicer's handler, our wrapper of it). Parsing the path, the
        # access table look-up and the wrapping are done once per method, not per call.
        self._wrapped: dict[str, tuple[Any, Any]] = {}
        self.in_flight = 0  # calls inside _guarded now; a graceful stop reports it

    async def intercept_service(  # type: ignore[override]
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        handler = await continuation(handler_call_details)
        full_method: str = handler_call_details.method  # type: ignore[attr-defined]
        known = self._wrapped.get(full_method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = self._wrap(handler, full_method)
        self._wrapped[full_method] = (handler, wrapped)
        return wrapped

    def _wrap(self, handler: Any, full_method: str) -> Any:
        service_name, _, method = full_method.lstrip("/").partition("/")
        table = self._access.get(service_name)
        if handler is None or table is None:
            return handler  # health, reflection: open to all
        labels = (service_name, method)
        if handler.unary_unary:
            inner = handler.unary_unary

            async def unary_unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                return await self._guarded(inner, request, context, table, labels, full_method)

            return grpc.unary_unary_rpc_method_handler(
                unary_unary,
                request_deserializer=tolerant_deserializer(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            inner_stream: Any = handler.unary_stream

            async def call(req: Any, ctx: Any) -> list[Any]:
                return [item async for item in inner_stream(req, ctx)]

            async def unary_stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                for item in await self._guarded(call, request, context, table, labels, full_method):
                    yield item

            return grpc.unary_stream_rpc_method_handler(
                unary_stream,
                request_deserializer=tolerant_deserializer(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        return handler

    def _authenticate(self, metadata: Mapping[str, Any]) -> Caller:
        header = metadata.get("authorization", "")
        if not header:
            return ANONYMOUS
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated(reason="TOKEN_INVALID", message="authorization: expected 'Bearer <token>'")
        caller = self._verifier.verify(token.strip())
        set_current_token(token.strip())
        return caller

    def _end_user(self, caller: Caller, metadata: Mapping[str, Any]) -> Caller | None:
        """The person a system caller serves (``x-on-behalf-of``), verified like any token."""
        token = str(metadata.get(ON_BEHALF_OF, "")).strip()
        if not token:
            return None
        if caller.kind is not CallerKind.SYSTEM:
            raise PermissionDenied(
                reason="ON_BEHALF_OF_NOT_ALLOWED", message=f"{ON_BEHALF_OF}: only a system caller may name an end user"
            )
        try:
            return self._verifier.verify(token)
        except Unauthenticated as refused:
            raise Unauthenticated(reason=refused.reason, message=f"{ON_BEHALF_OF}: {refused.message}") from refused

    async def _guarded(
        self,
        behaviour: Callable[[Any, Any], Awaitable[Any]],
        request: Any,
        context: grpc.aio.ServicerContext[Any, Any],
        table: AccessTable,
        labels: tuple[str, str],
        full_method: str,
    ) -> Any:
        method = labels[1]
        metadata = dict(context.invocation_metadata() or ())
        request_id = str(
            getattr(request, "request_id", "") or metadata.get("x-request-id", "") or os.urandom(16).hex()
        )[:128]
        started = time.perf_counter()
        self.in_flight += 1
        metrics.RPC_IN_FLIGHT.inc()
        caller: Caller = ANONYMOUS
        code = grpc.StatusCode.OK
        refusal: dict[str, str] = {}
        set_correlation_id(request_id)
        partner_id = str(getattr(request, "partner_id", "") or "")[:64]
        traceparent = tracing.traceparent_from(metadata)
        with (
            tracing.span(full_method, tracing.SpanKind.SERVER, traceparent) as trace_id,
            bound_context(rpc=full_method, request_id=request_id, partner_id=partner_id, trace_id=trace_id),
        ):
            try:
                set_current_token("")
                caller = self._authenticate(metadata)
                set_current_caller(caller)
                set_current_viewer(self._end_user(caller, metadata))
                with bound_context(caller=loggable_caller(caller)):
                    authorize(table, method, caller)
                    check_request(full_method, request)
                    return await behaviour(request, context)
            except DomainError as error:
                code, message, status = rich_status(error)
                refusal = {"reason": error.reason, "rule": error.rule or "", "error": message}
                await context.abort(
                    code, message, trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),)
                )
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED
                raise
            except Exception as exc:
                if isinstance(exc, grpc.aio.AbortError) or type(exc).__name__ == "AbortError":
                    raise
                code = grpc.StatusCode.INTERNAL
                log.exception("rpc.failed", error=str(exc))
                await context.abort(grpc.StatusCode.INTERNAL, "internal error; see the service log")
            finally:
                self.in_flight -= 1
                metrics.RPC_IN_FLIGHT.dec()
                elapsed = time.perf_counter() - started
                metrics.observe_rpc("server", *labels, code.name, elapsed)
                if code is not grpc.StatusCode.OK:
                    tracing.mark_error(code.name)
                if (
                    code is not grpc.StatusCode.OK or self._log_sample >= 1.0 or random.random() < self._log_sample
                ) and _access_log.isEnabledFor(logging.INFO):
                    # One line per call; ids and codes only, never the request's contents.
                    log.info(
                        "rpc.completed",
                        code=code.name,
                        ms=round(elapsed * 1000, 3),
                        caller_kind=caller.kind.value,
                        **refusal,
                    )


class _GenericHandlersOnly:
    """The server as the generated ``add_*_to_server`` functions see it: their method
    handlers are taken as generic handlers only, never as registered methods.

    grpc.aio's serving loop keeps one pending request per registered method and runs
    ``asyncio.wait`` over all of them for every call it accepts, so a call costs CPU in
    proportion to the methods the process serves (about 2 us each: status serves 50).
    With generic handlers alone it waits on one; the method is then found by one
    dictionary look-up in the generic handler.
    """

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, service_name: str, handlers: Mapping[str, Any]) -> None:
        """Ignored on purpose (see the class): the same handlers came as a generic one."""


@dataclass
class ServerApp:
    """A process: its gRPC services, background tasks and shutdown hooks."""

    name: str
    services: Sequence[GrpcService]
    verifier: TokenVerifier
    host: str = "127.0.0.1"
    port: int = 0
    tls: TlsFiles | None = None
    grace_seconds: float = 10.0
    background: list[BackgroundTask] = field(default_factory=list)
    on_shutdown: list[ShutdownHook] = field(default_factory=list)
    max_concurrent_rpcs: int | None = None
    # Share of successful calls logged; Prometheus /metrics, /readyz, /livez on this port.
    log_sample: float = 1.0
    metrics_port: int | None = None
    metrics_host: str = "0.0.0.0"
    # Several processes serve this port (settings.processes > 1).
    reuse_port: bool = False
    reflection: bool = True
    notice_seconds: float = 0.0

    def __post_init__(self) -> None:
        self._server: grpc.aio.Server | None = None
        self._health = HealthServicer()
        self._stop_background = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.bound_port = 0
        self._serving = False
        self._metrics: metrics.MetricsEndpoint | None = None
        self._calls: _CallInterceptor | None = None

    @property
    def in_flight(self) -> int:
        """Calls received and not yet answered."""
        return self._calls.in_flight if self._calls is not None else 0

    async def start(self) -> int:
        for service in self.services:
            service.check_access_complete()
        access = {s.descriptor.full_name: s.access for s in self.services}
        self._calls = _CallInterceptor(access, self.verifier, self.log_sample)
        server = grpc.aio.server(
            interceptors=[self._calls],
            maximum_concurrent_rpcs=self.max_concurrent_rpcs,
            options=[
                # Off unless several processes share the port on purpose: a second
                # instance started by mistake then fails to bind instead of sharing.
                ("grpc.so_reuseport", 1 if self.reuse_port else 0),
                # Clients balance round robin over a headless Service's pods; closing each
                # connection after a while (calls in flight finish: no grace limit) makes
                # them re-resolve and find new pods.
                ("grpc.max_connection_age_ms", 300_000),
            ],
        )
        handlers: Any = _GenericHandlersOnly(server)
        for service in self.services:
            service.add_to_server(service.servicer, handlers)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, handlers)
        names = [s.descriptor.full_name for s in self.services]
        if self.reflection:
            reflection.enable_server_reflection(
                [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], handlers
            )
        address = f"{self.host}:{self.port}"
        if self.tls is not None:
            self.bound_port = server.add_secure_port(address, self.tls.server_credentials())
        else:
            self.bound_port = server.add_insecure_port(address)
        if self.bound_port == 0:
            raise RuntimeError(f"could not bind {address}")
        await server.start()
        self._server = server
        if self.metrics_port is not None:
            self._metrics = metrics.MetricsEndpoint(self.metrics_host, self.metrics_port, lambda: self._serving)
            await self._metrics.start()
        for task in self.background:
            self._tasks.append(asyncio.create_task(self._supervise(task)))
        for service_name in [*names, ""]:
            await self._health.set(service_name, health_pb2.HealthCheckResponse.SERVING)
        self._serving = True
        log.info(
            "server.started",
            process=self.name,
            address=f"{self.host}:{self.bound_port}",
            tls=self.tls is not None,
            services=names,
        )
        return self.bound_port

    @property
    def metrics_bound_port(self) -> int:
        return self._metrics.bound_port if self._metrics is not None else 0

    async def _supervise(self, task: BackgroundTask) -> None:
        """Run a background loop; restart it after an unexpected crash."""
        name = getattr(task, "__qualname__", repr(task))
        while not self._stop_background.is_set():
            try:
                await task(self._stop_background)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("server.background_crashed", task=name, error=str(exc))
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        """Stop in this order: health NOT_SERVING; (after the notice) refuse new calls; let
        the calls in flight finish within the grace period (then cancel the rest); stop the
        background tasks; only then the shutdown hooks close NATS and the database, which
        the calls in flight still use."""
        if self._server is None:
            return
        log.info("server.stopping", process=self.name, grace_seconds=self.grace_seconds, in_flight=self.in_flight)
        self._serving = False
        await self._health.enter_graceful_shutdown()
        if self.notice_seconds > 0:  # NOT_SERVING reaches load balancers while calls are still taken
            await asyncio.sleep(self.notice_seconds)
        waited = time.monotonic()
        await self._server.stop(self.grace_seconds)
        log.info("server.drained", seconds=round(time.monotonic() - waited, 3), in_flight=self.in_flight)
        self._stop_background.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=self.grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        log.info("server.closing_resources", hooks=len(self.on_shutdown))
        for hook in self.on_shutdown:
            try:
                await hook()
            except Exception as exc:
                log.warning("server.shutdown_hook_failed", error=str(exc))
        if self._metrics is not None:
            await self._metrics.stop()
            self._metrics = None
        self._server = None
        log.info("server.stopped", process=self.name)

    async def serve_until_signalled(self) -> None:
        await self.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await self.stop()
