"""A cheap gRPC load generator that still varies the request: prepared HTTP/2 frames.

h2load costs little but sends one body over and over; a hot path asked for one key
answers from one row, which is not the load it meets. grpc.aio as a client costs about
as much CPU per call as the server it measures, and on two cores the two compete. This
generator speaks just enough HTTP/2 (cleartext, prior knowledge) to send prepared gRPC
calls over a few connections, each call a request taken in turn from a list:

- every request's HEADERS block is encoded once, with literal fields that are never
  indexed, so the same bytes serve every stream; its DATA frame (the length-prefixed
  message) is built once per request; a call only packs its stream id into two frame
  headers;
- the answers' header blocks are decoded (``hpack``: the server's encoder uses a dynamic
  table, so every block is decoded in order) to read ``grpc-status``: a call counts as
  failed unless it ends with status 0;
- flow control both ways: the connection window for what it sends, WINDOW_UPDATE for
  what it receives; SETTINGS and PING are acknowledged.

Calls in flight per connection are kept at ``streams``; latency is measured per call.
"""

from __future__ import annotations

import asyncio
import functools
import resource
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import hpack
from google.protobuf.message import Message

from bench.h2load import grpc_frame
from bench.load import LoadResult, summarize

_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_DATA, _HEADERS, _RST_STREAM, _SETTINGS, _PING, _GOAWAY, _WINDOW_UPDATE, _CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
_END_STREAM, _ACK, _END_HEADERS, _PADDED, _PRIORITY = 0x1, 0x1, 0x4, 0x8, 0x20
_FRAME_HEADER = struct.Struct(">HBBBI")  # 24-bit length as (high 16, low 8), type, flags, stream id
_RECEIVE_WINDOW = 2**30  # ours, per stream and for the connection: the server never waits on us
_SETTINGS_INITIAL_WINDOW_SIZE = 0x4


def _frame(kind: int, flags: int, stream: int, payload: bytes) -> bytes:
    size = len(payload)
    return _FRAME_HEADER.pack(size >> 8, size & 0xFF, kind, flags, stream) + payload


@dataclass(frozen=True)
class PreparedCall:
    headers_block: bytes
    message: bytes


def prepare(
    authority: str, method: str, requests: Sequence[Message], metadata: Sequence[tuple[str, str]]
) -> list[PreparedCall]:
    """Each request as the bytes of its HEADERS block and its DATA payload."""
    encoder = hpack.Encoder()
    fields = [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", method),
        (":authority", authority),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
        *metadata,
    ]
    # Never-indexed literals: the block does not change the server's table, so it can be resent as is.
    block = encoder.encode([hpack.NeverIndexedHeaderTuple(name, value) for name, value in fields])
    return [PreparedCall(block, grpc_frame(request)) for request in requests]


class _Connection(asyncio.Protocol):
    def __init__(
        self, calls: Sequence[PreparedCall], streams: int, on_done: Callable[[float, bool], None], *, once: bool = False
    ) -> None:
        self._calls = calls
        self._once = once  # send each call once, then stop
        self._streams = streams
        self._on_done = on_done
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._decoder = hpack.Decoder()
        self._decoder.max_allowed_table_size = 1 << 16
        self._next_stream = 1
        self._started: dict[int, float] = {}
        self._status: dict[int, bool] = {}  # stream -> a grpc-status 0 was seen
        self._send_window = 65_535
        self._stream_send_window = 65_535
        self._received = 0
        self._header_block = bytearray()
        self._header_ends_stream = False
        self.running = True
        self.closed = asyncio.get_running_loop().create_future()
        self.error: str | None = None
        self._index = 0

    # --- sending ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        settings = struct.pack(">HI", _SETTINGS_INITIAL_WINDOW_SIZE, _RECEIVE_WINDOW)
        transport.write(
            _PREFACE
            + _frame(_SETTINGS, 0, 0, settings)
            + _frame(_WINDOW_UPDATE, 0, 0, struct.pack(">I", _RECEIVE_WINDOW - 65_535))
        )
        self._fill()

    def _fill(self) -> None:
        out = bytearray()
        while self.running and len(self._started) < self._streams:
            if self._once and self._index >= len(self._calls):
                self.stop()
                break
            call = self._calls[self._index % len(self._calls)]
            if len(call.message) > self._send_window or len(call.message) > self._stream_send_window:
                break
            self._index += 1
            stream = self._next_stream
            self._next_stream += 2
            self._send_window -= len(call.message)
            out += _frame(_HEADERS, _END_HEADERS, stream, call.headers_block)
            out += _frame(_DATA, _END_STREAM, stream, call.message)
            self._started[stream] = time.perf_counter()
            self._status[stream] = False
        if out and self._transport is not None:
            self._transport.write(out)

    # --- receiving ----------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        offset = 0
        control = bytearray()
        while len(buffer) - offset >= 9:
            high, low, kind, flags, stream = _FRAME_HEADER.unpack_from(buffer, offset)
            size = (high << 8) | low
            if len(buffer) - offset - 9 < size:
                break
            payload = bytes(buffer[offset + 9 : offset + 9 + size])
            offset += 9 + size
            stream &= 0x7FFFFFFF
            if kind == _DATA:
                self._received += size
                if flags & _END_STREAM:
                    self._finish(stream)
            elif kind in (_HEADERS, _CONTINUATION):
                self._header_fragment(kind, flags, stream, payload)
            elif kind == _SETTINGS and not flags & _ACK:
                self._apply_settings(payload)
                control += _frame(_SETTINGS, _ACK, 0, b"")
            elif kind == _PING and not flags & _ACK:
                control += _frame(_PING, _ACK, 0, payload)
            elif kind == _WINDOW_UPDATE:
                increment = struct.unpack(">I", payload)[0] & 0x7FFFFFFF
                if stream == 0:
                    self._send_window += increment
            elif kind == _RST_STREAM:
                self._finish(stream, failed=True)
            elif kind == _GOAWAY:
                self.error = f"GOAWAY {payload[4:8].hex()} {payload[8:].decode(errors='replace')}"
                self.running = False
        del buffer[:offset]
        if self._received > _RECEIVE_WINDOW // 2:
            control += _frame(_WINDOW_UPDATE, 0, 0, struct.pack(">I", self._received))
            self._received = 0
        if control and self._transport is not None:
            self._transport.write(control)
        self._fill()
        if not self.running and not self._started and self._transport is not None:
            self._transport.close()

    def _apply_settings(self, payload: bytes) -> None:
        for at in range(0, len(payload), 6):
            key, value = struct.unpack_from(">HI", payload, at)
            if key == _SETTINGS_INITIAL_WINDOW_SIZE:
                self._stream_send_window = value

    def _header_fragment(self, kind: int, flags: int, stream: int, payload: bytes) -> None:
        if kind == _HEADERS:
            if flags & _PADDED:
                pad = payload[0]
                payload = payload[1 : len(payload) - pad]
            if flags & _PRIORITY:
                payload = payload[5:]
            self._header_block = bytearray(payload)
            self._header_ends_stream = bool(flags & _END_STREAM)
        else:
            self._header_block += payload
        if not flags & _END_HEADERS:
            return
        for name, value in self._decoder.decode(bytes(self._header_block), raw=True):
            if name == b"grpc-status":
                self._status[stream] = value == b"0"
        if self._header_ends_stream:
            self._finish(stream)

    def _finish(self, stream: int, *, failed: bool = False) -> None:
        started = self._started.pop(stream, None)
        ok = self._status.pop(stream, False) and not failed
        if started is not None:
            self._on_done(time.perf_counter() - started, ok)

    def connection_lost(self, exc: Exception | None) -> None:
        self.running = False
        if self._started and self.error is None:
            self.error = f"connection lost with {len(self._started)} calls in flight: {exc}"
        if not self.closed.done():
            self.closed.set_result(None)

    def stop(self) -> None:
        """Send no more calls; the connection closes once those in flight are answered."""
        self.running = False
        if not self._started and self._transport is not None:
            self._transport.close()


async def run_frames(
    address: str,
    calls: Sequence[PreparedCall],
    *,
    connections: int,
    streams: int,
    duration: float,
    warmup: float = 1.0,
    cpu_meter: Callable[[], float] | None = None,
) -> LoadResult:
    """``connections`` x ``streams`` calls in flight for ``warmup`` + ``duration`` seconds;
    only calls that end during ``duration`` are counted."""
    latencies: list[float] = []
    errors = 0
    measuring = False

    def done(seconds: float, ok: bool) -> None:
        nonlocal errors
        if not measuring:
            return
        if ok:
            latencies.append(seconds * 1000)
        else:
            errors += 1

    # Each connection starts at its own place in the list, so they do not ask in lockstep.
    offsets = [n * len(calls) // connections for n in range(connections)]
    shares = [[*calls[offset:], *calls[:offset]] for offset in offsets]
    protocols = await _connect(address, shares, streams, done)
    await asyncio.sleep(warmup)
    cpu_at_start = cpu_meter() if cpu_meter else 0.0
    own_at_start = _own_cpu_seconds()
    measuring = True
    started = time.perf_counter()
    await asyncio.sleep(duration)
    measuring = False
    elapsed = time.perf_counter() - started
    cpu = (cpu_meter() - cpu_at_start) if cpu_meter else 0.0
    own = _own_cpu_seconds() - own_at_start
    for protocol in protocols:
        protocol.stop()
    await _closed(protocols, within=30)
    return summarize(
        latencies,
        errors=errors,
        seconds=elapsed,
        concurrency=connections * streams,
        server_cpu=cpu,
        client_cpu_us_per_call=own / (len(latencies) + errors) * 1e6 if latencies or errors else 0.0,
    )


async def send_each_once(address: str, calls: Sequence[PreparedCall], *, connections: int, streams: int) -> int:
    """Send every call once (a cache's working set, before it is measured); returns the failures."""
    failed = 0

    def done(_seconds: float, ok: bool) -> None:
        nonlocal failed
        failed += not ok

    shares = [calls[n::connections] for n in range(connections)]
    await _closed(await _connect(address, shares, streams, done, once=True), within=600)
    return failed


async def _connect(
    address: str,
    shares: Sequence[Sequence[PreparedCall]],
    streams: int,
    done: Callable[[float, bool], None],
    *,
    once: bool = False,
) -> list[_Connection]:
    """One connection per share of the calls, each sending at once."""
    loop = asyncio.get_running_loop()
    host, _, port = address.rpartition(":")
    protocols = []
    for share in shares:
        _, protocol = await loop.create_connection(
            functools.partial(_Connection, share, streams, done, once=once), host, int(port)
        )
        protocols.append(protocol)
    return protocols


async def _closed(protocols: Sequence[_Connection], *, within: float) -> None:
    """Wait until every connection has closed; raise the first one's failure, if any."""
    await asyncio.wait_for(asyncio.gather(*(protocol.closed for protocol in protocols)), timeout=within)
    failures = [protocol.error for protocol in protocols if protocol.error]
    if failures:
        raise RuntimeError(f"load generator: {failures[0]}")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
