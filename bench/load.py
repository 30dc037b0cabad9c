"""The load generator: N concurrent callers over several channels for a fixed time.

Latency is measured per call with perf_counter_ns; throughput counts completed calls
after a warm-up. Errors are counted, never hidden.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

Call = Callable[[int], Awaitable[object]]  # i -> one RPC


@dataclass(frozen=True)
class LoadResult:
    calls: int
    errors: int
    seconds: float
    throughput: float  # calls per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    concurrency: int
    # Server CPU (user + system, all its processes) per measured call, from /proc; 0: not metered.
    cpu_us_per_call: float = 0.0
    # The load generator's own CPU per call where it runs as a separate process (h2load); 0: not metered.
    client_cpu_us_per_call: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    def line(self) -> str:
        return (
            f"{self.throughput:10.0f} calls/s   p50 {self.p50_ms:7.3f} ms   p95 {self.p95_ms:7.3f} ms   "
            f"p99 {self.p99_ms:7.3f} ms   server CPU {self.cpu_us_per_call:7.0f} us/call   errors {self.errors}   "
            f"(c={self.concurrency}, {self.calls} calls)"
        )


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run_load(
    call: Call,
    *,
    concurrency: int,
    duration: float,
    warmup: float = 1.0,
    cpu_meter: Callable[[], float] | None = None,
) -> LoadResult:
    """``cpu_meter`` returns the server's CPU seconds so far; it is read when measuring
    starts and once every caller has finished."""
    latencies: list[float] = []
    cpu_at_start = 0.0
    errors = 0
    counter = 0
    measuring = False
    stop_at = 0.0

    async def worker() -> None:
        nonlocal errors, counter
        while True:
            now = time.perf_counter()
            if measuring and now >= stop_at:
                return
            counter += 1
            started = time.perf_counter_ns()
            try:
                await call(counter)
            except Exception:
                if measuring:
                    errors += 1
                continue
            if measuring:
                latencies.append((time.perf_counter_ns() - started) / 1e6)

    async def warm() -> None:
        nonlocal measuring, stop_at, cpu_at_start
        await asyncio.sleep(warmup)
        cpu_at_start = cpu_meter() if cpu_meter else 0.0
        measuring = True
        stop_at = time.perf_counter() + duration

    started_at = time.perf_counter()
    await asyncio.gather(warm(), *(worker() for _ in range(concurrency)))
    elapsed = max(1e-9, time.perf_counter() - started_at - warmup)
    cpu = (cpu_meter() - cpu_at_start) if cpu_meter else 0.0
    return summarize(latencies, errors=errors, seconds=elapsed, concurrency=concurrency, server_cpu=cpu)


def summarize(
    latencies: list[float],
    *,
    errors: int,
    seconds: float,
    concurrency: int,
    server_cpu: float = 0.0,
    throughput: float | None = None,
    client_cpu_us_per_call: float = 0.0,
) -> LoadResult:
    """A load's result from its successful calls' latencies (ms, any order) and the
    server's CPU seconds over it (0: not metered)."""
    latencies.sort()
    calls = len(latencies)
    return LoadResult(
        calls=calls,
        errors=errors,
        seconds=round(seconds, 3),
        throughput=calls / seconds if throughput is None else throughput,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1] if latencies else 0.0,
        concurrency=concurrency,
        cpu_us_per_call=server_cpu / calls * 1e6 if calls else 0.0,
        client_cpu_us_per_call=client_cpu_us_per_call,
    )
