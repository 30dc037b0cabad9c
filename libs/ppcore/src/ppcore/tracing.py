"""Traces (OpenTelemetry): a span per gRPC call on both sides, and the W3C trace context
carried across processes: in gRPC metadata (``traceparent``) and in the event envelope
(``EventEnvelope.traceparent``), so a trace follows a change from the RPC through the
outbox and JetStream into every consumer and whatever those consumers call or publish.

Off unless a process has an OTLP endpoint (``<PREFIX>_OTLP_ENDPOINT``): then no tracer
provider is installed, no span is made, and a call without a ``traceparent`` costs one
dictionary look-up. A caller's trace id is still passed on (a non-recording span holds
it), so log lines keep the caller's trace id either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from ppcore.logging import get_logger

log = get_logger("ppcore.tracing")

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
# The process's provider when tracing is on; kept here rather than installed globally so
# tests can swap it.
_provider: trace.TracerProvider | None = None


def tracing_enabled() -> bool:
    return _provider is not None


def configure_tracing(service: str, endpoint: str) -> Callable[[], Awaitable[None]] | None:
    """Install the SDK with a batching OTLP exporter when ``endpoint`` is set; returns a
    shutdown hook that flushes it (None when tracing stays off)."""
    global _provider
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": "partnerprogram"})
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    _provider = provider
    log.info("tracing.enabled", endpoint=endpoint)

    async def shutdown() -> None:
        provider.shutdown()

    return shutdown


def use_provider(provider: trace.TracerProvider | None) -> None:
    """Record spans with ``provider`` (tests: an in-memory exporter); None turns tracing off."""
    global _provider
    _provider = provider


_NO_TRACE: AbstractContextManager[str] = nullcontext("")


def span(name: str, kind: SpanKind, traceparent: str = "", **attributes: str) -> AbstractContextManager[str]:
    """Run the block in a span whose parent is ``traceparent`` (if any); gives the trace id
    as 32 hex digits, or "" when there is no trace at all (then nothing else is done)."""
    if _provider is None and not traceparent:
        return _NO_TRACE
    return _span(name, kind, traceparent, attributes)


@contextmanager
def _span(name: str, kind: SpanKind, traceparent: str, attributes: dict[str, str]) -> Iterator[str]:
    provider = _provider
    parent = _PROPAGATOR.extract({TRACEPARENT: traceparent}) if traceparent else None
    if provider is None:
        # No provider: keep the caller's context current so it is passed on and logged.
        carried = trace.get_current_span(parent)
        token = otel_context.attach(trace.set_span_in_context(carried))
        try:
            yield _trace_id(carried)
        finally:
            otel_context.detach(token)
        return
    with provider.get_tracer("ppcore").start_as_current_span(
        name, context=parent, kind=kind, attributes=attributes
    ) as current:
        try:
            yield _trace_id(current)
        except BaseException as exc:
            current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def mark_error(description: str) -> None:
    """Mark the current span as failed (a non-OK gRPC code)."""
    current = trace.get_current_span()
    if current.is_recording():
        current.set_status(Status(StatusCode.ERROR, description))


def _trace_id(current: trace.Span) -> str:
    context = current.get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else ""


def current_traceparent() -> str:
    """The W3C traceparent of the current span, or "" outside any trace."""
    current = trace.get_current_span()
    if not current.get_span_context().is_valid:
        return ""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT, "")


def current_trace_id() -> str:
    return _trace_id(trace.get_current_span())


def traceparent_from(metadata: Mapping[str, object]) -> str:
    value = metadata.get(TRACEPARENT, "")
    return value if isinstance(value, str) else ""


__all__ = [
    "SpanKind",
    "configure_tracing",
    "current_trace_id",
    "current_traceparent",
    "mark_error",
    "span",
    "traceparent_from",
    "tracing_enabled",
    "use_provider",
]
