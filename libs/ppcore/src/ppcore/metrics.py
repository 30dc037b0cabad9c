"""Prometheus metrics of a process, and the small HTTP endpoint that serves them.

Every series the suite exports is defined here (prometheus-client, the default registry),
so dashboards and alert rules (deploy/k8s/base/monitoring) have one place to look:

- ``grpc_server_handled_total`` / ``grpc_server_handling_seconds``: per RPC, by code, and
  the latency histogram (the names of the go-grpc-prometheus convention, so the usual
  dashboards work); ``grpc_client_*`` the same for calls this process makes.
- ``pp_rpc_in_flight``: calls this server has received and not yet answered (a graceful
  stop waits for it to reach 0, within the grace period).
- ``pp_outbox_backlog``, ``pp_outbox_oldest_unsent_age_seconds``, ``pp_outbox_published_total``.
- ``pp_consumer_lag``, ``pp_consumer_handled_total``, ``pp_consumer_redeliveries_total``,
  ``pp_consumer_dead_letters_total`` per durable consumer.
- ``pp_job_runs_total``, ``pp_job_duration_seconds``, ``pp_job_last_success_timestamp_seconds``
  per daily job (label ``daily_job``; Prometheus keeps ``job`` for the scrape job).
- ``pp_db_pool_connections`` by state, read from the SQLAlchemy pool at scrape time.
- ``pp_view_cache_lookups_total`` (by backend, outcome hit/miss) and
  ``pp_view_cache_invalidations_total`` (by backend, scope partner/backend/all): the
  gateway's cache of the backends' partner-view answers, so its hit rate is seen.
- ``pp_hot_cache_lookups_total`` (by cache, outcome hit/miss), ``pp_hot_cache_invalidations_total``,
  ``pp_hot_cache_entries`` and ``pp_hot_cache_listening`` (1 while its LISTEN is up): the
  hot paths' rows kept in memory (``ppcore.notified_cache``), read when scraped.

Recording costs a dictionary look-up and an addition, so it is always on; the endpoint is
served only when the process has a metrics port (``<PREFIX>_METRICS_PORT``). The endpoint
runs on the process's own event loop, so ``/livez`` answering means the loop is alive, and
``/readyz`` follows the gRPC server (ready after start, not ready once stopping): the
Kubernetes probes use them, which works the same with plaintext or mutual-TLS gRPC.
"""

from __future__ import annotations

import asyncio
import functools
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import prometheus_client
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ppcore.logging import get_logger

log = get_logger("ppcore.metrics")

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0)


def _rpc_series(side: str, who: str) -> tuple[prometheus_client.Counter, prometheus_client.Histogram]:
    handled = prometheus_client.Counter(
        f"grpc_{side}_handled_total",
        f"RPCs completed {who}, by method and status code.",
        ["grpc_service", "grpc_method", "grpc_code"],
    )
    latency = prometheus_client.Histogram(
        f"grpc_{side}_handling_seconds",
        f"Time from sending or receiving an RPC to its answer, {who}.",
        ["grpc_service", "grpc_method"],
        buckets=_LATENCY_BUCKETS,
    )
    return handled, latency


SERVER_HANDLED, SERVER_LATENCY = _rpc_series("server", "on this server")
CLIENT_HANDLED, CLIENT_LATENCY = _rpc_series("client", "by this process as a client of another service")
_SIDES = {"server": (SERVER_HANDLED, SERVER_LATENCY), "client": (CLIENT_HANDLED, CLIENT_LATENCY)}


@functools.cache
def _rpc_children(side: str, service: str, method: str, code: str) -> tuple[Any, Any]:
    handled, latency = _SIDES[side]
    return handled.labels(service, method, code), latency.labels(service, method)


def observe_rpc(side: Literal["server", "client"], service: str, method: str, code: str, seconds: float) -> None:
    """Count one completed RPC and its latency (labelled series looked up once per method and code)."""
    handled, latency = _rpc_children(side, service, method, code)
    handled.inc()
    latency.observe(seconds)


RPC_IN_FLIGHT = prometheus_client.Gauge(
    "pp_rpc_in_flight", "Calls this server has received and not yet answered (health and reflection aside)."
)

OUTBOX_BACKLOG = prometheus_client.Gauge(
    "pp_outbox_backlog", "Outbox rows committed and not yet on JetStream, seen at the relay's last round."
)
OUTBOX_PUBLISHED = prometheus_client.Counter("pp_outbox_published_total", "Outbox rows relayed to JetStream.")

CONSUMER_LAG = prometheus_client.Gauge(
    "pp_consumer_lag", "Events in the stream this durable consumer has not yet been handed.", ["consumer"]
)
CONSUMER_HANDLED = prometheus_client.Counter(
    "pp_consumer_handled_total", "Events this consumer applied (or skipped as duplicates).", ["consumer"]
)
CONSUMER_REDELIVERIES = prometheus_client.Counter(
    "pp_consumer_redeliveries_total", "Events JetStream handed to this consumer more than once.", ["consumer"]
)
CONSUMER_DEAD_LETTERS = prometheus_client.Counter(
    "pp_consumer_dead_letters_total", "Events this consumer moved to the dead-letter stream.", ["consumer"]
)

VIEW_CACHE_LOOKUPS = prometheus_client.Counter(
    "pp_view_cache_lookups_total", "Partner-view answers looked up in the gateway's cache.", ["backend", "outcome"]
)
VIEW_CACHE_INVALIDATIONS = prometheus_client.Counter(
    "pp_view_cache_invalidations_total",
    "Invalidations of the gateway's partner-view cache: one partner of a backend, a whole backend, or all.",
    ["backend", "scope"],
)

JOB_RUNS = prometheus_client.Counter("pp_job_runs_total", "Daily job runs, by outcome.", ["daily_job", "outcome"])
JOB_DURATION = prometheus_client.Histogram(
    "pp_job_duration_seconds", "Duration of a daily job run.", ["daily_job"], buckets=_JOB_BUCKETS
)
JOB_LAST_SUCCESS = prometheus_client.Gauge(
    "pp_job_last_success_timestamp_seconds", "Unix time of the job's last successful run.", ["daily_job"]
)


class _OutboxAge:
    """The age of the oldest unsent outbox row, computed when scraped (it grows while stuck)."""

    def __init__(self) -> None:
        self.oldest_unsent: float | None = None  # unix time, on the relay's clock
        self.clock: Callable[[], float] = time.time

    def seconds(self) -> float:
        oldest = self.oldest_unsent
        return 0.0 if oldest is None else max(0.0, self.clock() - oldest)


OUTBOX_AGE = _OutboxAge()
prometheus_client.Gauge(
    "pp_outbox_oldest_unsent_age_seconds", "Age of the oldest committed outbox row not yet on JetStream."
).set_function(OUTBOX_AGE.seconds)


class _PoolCollector(Collector):
    """SQLAlchemy pools of this process, read when scraped."""

    def __init__(self) -> None:
        self._pools: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()

    def watch(self, name: str, pool: Any) -> None:
        self._pools[name] = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "pp_db_pool_connections", "Database pool connections by state.", labels=["pool", "state"]
        )
        for name, pool in list(self._pools.items()):
            state_of = getattr(pool, "pool_state", None)
            if callable(state_of):  # asyncpg pools (ppcore.hot_reads)
                for state, count in state_of().items():
                    family.add_metric([name, state], float(count))
                continue
            for state, reader in (("in_use", "checkedout"), ("idle", "checkedin"), ("size", "size")):
                read = getattr(pool, reader, None)
                if callable(read):
                    family.add_metric([name, state], float(read()))
        yield family


_POOLS = _PoolCollector()
prometheus_client.REGISTRY.register(_POOLS)


def watch_pool(name: str, pool: Any) -> None:
    """Export the connections of a SQLAlchemy pool (``engine.pool``), or of an object with
    ``pool_state() -> {state: count}``, under ``name``."""
    _POOLS.watch(name, pool)


class _HotCacheCollector(Collector):
    """Hot-path caches of this process (``ppcore.notified_cache``): plain counters on the
    hot path, turned into series only when scraped."""

    def __init__(self) -> None:
        self._caches: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()

    def watch(self, name: str, cache: Any) -> None:
        self._caches[name] = cache

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        lookups = CounterMetricFamily(
            "pp_hot_cache_lookups", "Hot-path rows looked up in memory.", labels=["cache", "outcome"]
        )
        invalidations = CounterMetricFamily(
            "pp_hot_cache_invalidations", "Change notifications applied to a hot-path cache.", labels=["cache"]
        )
        entries = GaugeMetricFamily("pp_hot_cache_entries", "Rows kept by a hot-path cache.", labels=["cache"])
        listening = GaugeMetricFamily(
            "pp_hot_cache_listening", "1 while the cache listens for changes (else it keeps nothing).", labels=["cache"]
        )
        for name, cache in list(self._caches.items()):
            lookups.add_metric([name, "hit"], float(cache.hits))
            lookups.add_metric([name, "miss"], float(cache.misses))
            invalidations.add_metric([name], float(cache.invalidations))
            entries.add_metric([name], float(cache.size()))
            listening.add_metric([name], 1.0 if cache.listening else 0.0)
        yield from (lookups, invalidations, entries, listening)


_HOT_CACHES = _HotCacheCollector()
prometheus_client.REGISTRY.register(_HOT_CACHES)


def watch_hot_cache(name: str, cache: Any) -> None:
    """Export a hot-path cache's hits, misses, invalidations, size and listen state."""
    _HOT_CACHES.watch(name, cache)


@dataclass
class JobRun:
    """One run of a long job: progress lines at most every ``every`` seconds, a summary
    line at the end, and the job's metrics. Counts go in ``counts``."""

    name: str
    every: float = 10.0
    counts: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    _last_progress: float = 0.0

    def progress(self, done: int, total: int | None = None, **fields: Any) -> None:
        now = time.monotonic()
        if now - self._last_progress < self.every:
            return
        self._last_progress = now
        log.info("job.progress", daily_job=self.name, done=done, total=total, **fields)


@contextmanager
def job_run(name: str, *, every: float = 10.0, **fields: Any) -> Iterator[JobRun]:
    """Time a long job and log its start, progress and summary; count its outcome."""
    run = JobRun(name, every=every)
    run._last_progress = run.started
    log.info("job.started", daily_job=name, **fields)
    try:
        yield run
    except BaseException as exc:
        elapsed = time.monotonic() - run.started
        JOB_RUNS.labels(name, "failed").inc()
        JOB_DURATION.labels(name).observe(elapsed)
        log.warning("job.failed", daily_job=name, seconds=round(elapsed, 3), error=str(exc), **fields)
        raise
    elapsed = time.monotonic() - run.started
    JOB_RUNS.labels(name, "succeeded").inc()
    JOB_DURATION.labels(name).observe(elapsed)
    JOB_LAST_SUCCESS.labels(name).set(time.time())
    log.info("job.finished", daily_job=name, seconds=round(elapsed, 3), **fields, **run.counts)


class MetricsEndpoint:
    """``GET /metrics`` (Prometheus text format), ``/readyz`` and ``/livez`` on one port."""

    def __init__(self, host: str, port: int, ready: Callable[[], bool]) -> None:
        self._host = host
        self._port = port
        self._ready = ready
        self._server: asyncio.AbstractServer | None = None
        self.bound_port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, self._host, self._port)
        self.bound_port = int(self._server.sockets[0].getsockname()[1])
        log.info("metrics.started", address=f"{self._host}:{self.bound_port}")
        return self.bound_port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=5.0)
            while (await asyncio.wait_for(reader.readline(), timeout=5.0)) not in (b"\r\n", b"\n", b""):
                pass  # headers: nothing here needs them
            parts = request_line.decode("latin-1").split()
            path = parts[1].split("?", 1)[0] if len(parts) >= 2 else ""
            status, content_type, body = self._answer(parts[0] if parts else "", path)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()

    def _answer(self, method: str, path: str) -> tuple[str, str, bytes]:
        if method != "GET":
            return "405 Method Not Allowed", "text/plain", b"GET only\n"
        if path == "/metrics":
            return "200 OK", prometheus_client.CONTENT_TYPE_LATEST, prometheus_client.generate_latest()
        if path == "/livez":
            return "200 OK", "text/plain", b"ok\n"
        if path == "/readyz":
            if self._ready():
                return "200 OK", "text/plain", b"ready\n"
            return "503 Service Unavailable", "text/plain", b"not ready\n"
        return "404 Not Found", "text/plain", b"/metrics, /readyz, /livez\n"
