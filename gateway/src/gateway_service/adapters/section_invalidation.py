"""Every backend event, seen by this very process, drops the partner-view answers it may change.

Not the shared durable consumers (JetStream hands each event to one process of a group):
every gateway process (SO_REUSEPORT siblings, replicas) keeps its own cache, so each has its
own core NATS subscription on the backends' subjects and sees every event published from the
moment it subscribed. Nothing is replayed, so the cache is trusted only while the feed is
live: it starts empty once subscribed (after a round trip, so the server has the interest),
is bypassed while NATS is disconnected, and is emptied again on reconnection (events of the
gap are lost). The subscription's queue is unbounded, so a slow process never drops an event.

Program time (non-production runs) can jump: the processes follow the shared state within
moments of each other, not at once, so for a few seconds after a jump an answer may come
from a backend still on the old date. The cache is emptied on every jump and bypassed for
``PROGRAM_TIME_SETTLE_SECONDS`` after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

from nats.aio.msg import Msg

from gateway_service.service_layer.section_cache import Dropped, SectionCache
from partnerprogram.events.v1.envelope_pb2 import EventEnvelope
from ppcore.bus import EventBus
from ppcore.logging import get_logger
from ppcore.metrics import VIEW_CACHE_INVALIDATIONS, VIEW_CACHE_LOOKUPS
from ppcore.program_time import ProgramClock

log = get_logger("gateway.section_invalidation")

PROGRAM_TIME_SETTLE_SECONDS = 5.0


class InvalidationFeed:
    def __init__(
        self, bus: EventBus, cache: SectionCache, backends: Sequence[str], program_clock: ProgramClock | None = None
    ) -> None:
        self._bus = bus
        self._cache = cache
        self._program_clock = program_clock
        self._settled_at = 0.0  # monotonic time from which answers may be kept after a jump
        # Subject prefix -> backend: partnerprogram.status.v1.<event> is status's.
        self._backends = {f"{bus.naming.namespace}.{backend}.v1.": backend for backend in backends}
        self._subscribed = False

    def live(self) -> bool:
        """Whether an answer may be served or stored now."""
        return (
            self._subscribed
            and self._cache.live
            and self._bus.connected
            and (not self._settled_at or time.monotonic() >= self._settled_at)
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Background task: subscribe, go live, and stay until the process stops."""
        nc = self._bus.nc
        self._bus.on_reconnect(self._reconnected)
        subscriptions = [
            await nc.subscribe(f"{prefix}>", cb=self._on_event, pending_msgs_limit=0, pending_bytes_limit=0)
            for prefix in self._backends
        ]
        await nc.flush()
        self._subscribed = True
        self._went_live("subscribed")
        follow = asyncio.ensure_future(self._follow_program_time()) if self._program_clock else None
        try:
            await stop.wait()
        finally:
            if follow is not None:
                follow.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follow
            self._subscribed = False
            self._cache.went_down()
            for subscription in subscriptions:
                if not nc.is_closed:
                    await subscription.unsubscribe()

    async def _follow_program_time(self) -> None:
        assert self._program_clock is not None
        while True:
            await self._program_clock.moved()
            self._settled_at = time.monotonic() + PROGRAM_TIME_SETTLE_SECONDS
            dropped = self._cache.drop_all()
            VIEW_CACHE_INVALIDATIONS.labels("*", Dropped.ALL.value).inc()
            log.info("gateway.section_cache.program_time_moved", dropped=dropped)

    async def _reconnected(self) -> None:
        # nats-py re-sent our subscriptions and had the server's answer to a ping before
        # calling this, so the server has them: every event from now on arrives.
        if self._subscribed:
            self._went_live("reconnected")

    def _went_live(self, why: str) -> None:
        dropped = self._cache.went_live()
        VIEW_CACHE_INVALIDATIONS.labels("*", Dropped.ALL.value).inc()
        log.info("gateway.section_cache.live", why=why, dropped=dropped)

    async def _on_event(self, msg: Msg) -> None:
        backend = self._backend_of(msg.subject)
        if backend is None:
            return
        try:
            partner_id = EventEnvelope.FromString(msg.data).partner_id
        except Exception:
            partner_id = ""
        if partner_id:
            self._cache.drop_partner(backend, partner_id)
            VIEW_CACHE_INVALIDATIONS.labels(backend, Dropped.PARTNER.value).inc()
        else:
            self._cache.drop_backend(backend)
            VIEW_CACHE_INVALIDATIONS.labels(backend, Dropped.BACKEND.value).inc()

    def _backend_of(self, subject: str) -> str | None:
        for prefix, backend in self._backends.items():
            if subject.startswith(prefix):
                return backend
        return None


def count_view_cache_lookup(backend: str, hit: bool) -> None:
    VIEW_CACHE_LOOKUPS.labels(backend, "hit" if hit else "miss").inc()
