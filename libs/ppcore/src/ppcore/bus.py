"""The NATS JetStream connection of one process, and idempotent stream set-up."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from ppcore.events import Naming
from ppcore.logging import get_logger

log = get_logger("ppcore.bus")

# How long JetStream remembers a Nats-Msg-Id for de-duplication.
DUPLICATE_WINDOW_SECONDS = 600.0


class NatsSetupError(RuntimeError):
    """NATS cannot be used with these settings (untrusted certificate, refused credentials)."""


@dataclass(frozen=True)
class NatsSecurity:
    """How a process proves itself to NATS and checks the server: all unset means plaintext, no auth."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    credentials_file: Path | None = None
    user: str | None = None
    password: str | None = None

    def connect_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.ca_file or self.cert_file:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
            if self.cert_file and self.key_file:
                context.load_cert_chain(self.cert_file, self.key_file)
            options["tls"] = context
        if self.credentials_file:
            options["user_credentials"] = str(self.credentials_file)
        if self.user:
            options["user"] = self.user
            options["password"] = self.password or ""
        return options


class EventBus:
    """Connects to NATS (reconnecting for ever) and owns the JetStream context."""

    def __init__(
        self,
        url: str,
        naming: Naming,
        *,
        client_name: str,
        stream_replicas: int = 1,
        security: NatsSecurity | None = None,
    ) -> None:
        self.security = security or NatsSecurity()
        self.url = url
        self.stream_replicas = stream_replicas
        self.naming = naming
        self.client_name = client_name
        self._nc: NatsClient | None = None
        self._js: JetStreamContext | None = None
        self._reconnect_listeners: list[Callable[[], Awaitable[None]]] = []

    @property
    def nc(self) -> NatsClient:
        if self._nc is None:
            raise RuntimeError("EventBus is not connected")
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("EventBus is not connected")
        return self._js

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    def on_reconnect(self, listener: Callable[[], Awaitable[None]]) -> None:
        self._reconnect_listeners.append(listener)

    async def connect(self) -> None:
        """Connect, retrying for ever while NATS is unreachable; but a server certificate
        the CA file does not trust, or credentials the server refuses, fail at once with
        :class:`NatsSetupError` (retrying cannot fix a wrong setting)."""
        refused: asyncio.Future[NatsSetupError] = asyncio.get_running_loop().create_future()

        async def reconnected() -> None:
            log.info("nats.reconnected", url=self.url)
            for listener in self._reconnect_listeners:
                await listener()

        async def disconnected() -> None:
            log.warning("nats.disconnected", url=self.url)

        async def error(exc: Exception) -> None:
            log.warning("nats.error", error=str(exc))
            setup_error = self._setup_error(exc)
            if setup_error is not None and not refused.done():
                refused.set_result(setup_error)

        connecting = asyncio.ensure_future(
            nats.connect(
                [url.strip() for url in self.url.split(",")],  # every node of a cluster, comma-separated
                name=self.client_name,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=5,
                allow_reconnect=True,
                reconnected_cb=reconnected,
                disconnected_cb=disconnected,
                error_cb=error,
                pending_size=64 * 1024 * 1024,
                **self.security.connect_options(),
            )
        )
        await asyncio.wait((connecting, refused), return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done():
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            raise refused.result()
        self._nc = connecting.result()
        self._js = self._nc.jetstream(timeout=5.0)

    def _setup_error(self, exc: Exception) -> NatsSetupError | None:
        """The clear error for a failure only a change of settings can fix, else None."""
        if isinstance(exc, ssl.SSLCertVerificationError):
            trusted = self.security.ca_file or "the system's CA store"
            return NatsSetupError(
                f"NATS at {self.url}: its TLS certificate is not trusted by {trusted} "
                f"(nats_tls_ca_file): {exc.verify_message}"
            )
        if isinstance(exc, nats.errors.AuthorizationError) or "authorization violation" in str(exc).lower():
            who = f"user {self.security.user!r}" if self.security.user else "the credentials"
            return NatsSetupError(f"NATS at {self.url} refused {who} (nats_user/nats_password/nats_credentials_file)")
        return None

    async def ensure_stream(self, producer: str) -> None:
        """Create or update the stream of ``producer``; safe to call from every process."""
        await self._ensure(
            StreamConfig(
                name=self.naming.stream_for(producer),
                subjects=self.naming.stream_subjects(producer),
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                discard=DiscardPolicy.OLD,
                max_age=30 * 24 * 3600.0,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
                num_replicas=self.stream_replicas,
            )
        )

    async def ensure_dlq_stream(self) -> None:
        await self._ensure(
            StreamConfig(
                name=self.naming.dlq_stream,
                subjects=[f"{self.naming.namespace}.dlq.>"],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                max_age=90 * 24 * 3600.0,
                num_replicas=self.stream_replicas,
            )
        )

    async def _ensure(self, config: StreamConfig) -> None:
        for attempt in range(5):
            try:
                try:
                    await self.js.stream_info(config.name or "")
                except NotFoundError:
                    try:
                        await self.js.add_stream(config)
                        log.info("nats.stream.created", stream=config.name)
                        return
                    except BadRequestError:
                        pass  # created by another process meanwhile: fall through to update
                await self.js.update_stream(config)
                return
            except (TimeoutError, nats.errors.TimeoutError, nats.errors.NoRespondersError):
                await asyncio.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"could not create or update stream {config.name}")

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            try:
                await asyncio.wait_for(self._nc.drain(), timeout=5)
            except Exception:  # drain on a dead connection: close is all that is left
                await self._nc.close()
        self._nc = None
        self._js = None
