"""A load generator that costs far less than the server it measures: h2load (Debian's
``nghttp2-client``) sending one prepared gRPC frame over and over.

Optional: ``available()`` says whether it is installed; nothing in CI needs it. h2load sees
HTTP/2 statuses only, not gRPC status trailers, so a caller checks the same request once
with a real gRPC client first (:func:`grpc_frame` builds the body from that request).
"""

from __future__ import annotations

import asyncio
import re
import resource
import shutil
import struct
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from google.protobuf.message import Message

from bench.load import LoadResult, percentile


def available() -> bool:
    return shutil.which("h2load") is not None


def grpc_frame(request: Message) -> bytes:
    """The length-prefixed gRPC message (uncompressed) as it goes on the wire."""
    body = request.SerializeToString()
    return b"\x00" + struct.pack(">I", len(body)) + body


async def run_h2load(
    address: str,
    method: str,
    request: Message,
    metadata: Sequence[tuple[str, str]],
    *,
    connections: int,
    streams: int,
    duration: float,
    warmup: float = 1.0,
    cpu_meter: Callable[[], float] | None = None,
) -> LoadResult:
    """``connections`` x ``streams`` calls in flight for ``duration`` seconds after ``warmup``."""
    with tempfile.TemporaryDirectory(prefix="pp-h2load-") as work:
        frame = Path(work) / "frame.bin"
        frame.write_bytes(grpc_frame(request))
        log = Path(work) / "requests.log"
        headers = [("content-type", "application/grpc"), ("te", "trailers"), *metadata]
        args = ["h2load", "-c", str(connections), "-m", str(streams), "-t", "1"]
        args += ["-D", f"{duration:g}", "--warm-up-time", f"{warmup:g}", "-d", str(frame), "--log-file", str(log)]
        for name, value in headers:
            args += ["-H", f"{name}: {value}"]
        process = await asyncio.create_subprocess_exec(
            *args, f"http://{address}{method}", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        await asyncio.sleep(warmup)
        cpu_at_start = cpu_meter() if cpu_meter else 0.0
        children_before = _children_cpu_seconds()
        output, _ = await process.communicate()
        cpu = (cpu_meter() - cpu_at_start) if cpu_meter else 0.0
        # h2load is the only child that ends meanwhile: its whole run, warm-up included.
        client_cpu = _children_cpu_seconds() - children_before
        text = output.decode(errors="replace")
        if process.returncode != 0:
            raise RuntimeError(f"h2load failed: {text[-500:]}")
        # Each line: start time (us since epoch), HTTP status, duration (us).
        latencies = sorted(
            int(fields[2]) / 1000 for fields in (line.split("\t") for line in log.read_text().splitlines())
        )
    succeeded = int(_number(text, r"(\d+) succeeded"))
    failed = int(_number(text, r"(\d+) failed")) + int(_number(text, r"(\d+) errored"))
    seconds = float(_number(text, r"finished in ([\d.]+)s"))
    return LoadResult(
        calls=succeeded,
        errors=failed,
        seconds=seconds,
        throughput=float(_number(text, r"([\d.]+) req/s")),
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1] if latencies else 0.0,
        concurrency=connections * streams,
        cpu_us_per_call=cpu / succeeded * 1e6 if succeeded and cpu_meter else 0.0,
        # The warm-up's calls are not counted by h2load but cost it CPU: taken at the measured rate.
        client_cpu_us_per_call=client_cpu / (succeeded * (seconds + warmup) / seconds) * 1e6 if succeeded else 0.0,
    )


def _children_cpu_seconds() -> float:
    """User + system time of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _number(text: str, pattern: str) -> str:
    found = re.search(pattern, text)
    return found.group(1) if found else "0"
