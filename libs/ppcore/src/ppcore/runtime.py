"""What every service process is built from, assembled once in its composition root.

``Platform.create`` reads nothing global: it takes the process's settings and returns
the clock, policy, database, event bus, token verifier and issuer, and the outbox relay.
``Platform.server`` turns gRPC services and consumers into a :class:`ServerApp` whose
shutdown drains NATS and closes the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc

from ppcore.auth import TokenIssuer, TokenVerifier
from ppcore.bus import EventBus, NatsSecurity
from ppcore.client import ClientTls, make_channel
from ppcore.clock import Clock, SystemClock
from ppcore.consumer import EventConsumer
from ppcore.db import Database, PlatformTables
from ppcore.events import Naming
from ppcore.housekeeping import Housekeeping
from ppcore.logging import get_logger
from ppcore.metrics import watch_pool
from ppcore.outbox import OutboxRelay
from ppcore.policy import ProgramPolicy, load_policy
from ppcore.program_time import KvJobProgress, ProgramClock, ProgramTimeFollower
from ppcore.scheduler import DailyJob, DailyScheduler
from ppcore.server import BackgroundTask, GrpcService, ServerApp, TlsFiles
from ppcore.service_identity import ServiceToken
from ppcore.settings import ServiceSettings
from ppcore.tracing import configure_tracing
from ppcore.uow import SqlUnitOfWork

log = get_logger("ppcore.runtime")


@dataclass
class Platform:
    name: str
    settings: ServiceSettings
    clock: Clock
    policy: ProgramPolicy
    db: Database
    tables: PlatformTables
    naming: Naming
    bus: EventBus
    verifier: TokenVerifier
    issuer: TokenIssuer
    service_token: ServiceToken
    relay: OutboxRelay
    # Set when the process follows the shared program time instead of the wall clock.
    program_clock: ProgramClock | None = None
    _channels: list[grpc.aio.Channel] = field(default_factory=list)
    _follower: ProgramTimeFollower | None = None
    _trace_shutdown: Callable[[], Awaitable[None]] | None = None

    @classmethod
    def create(
        cls,
        name: str,
        settings: ServiceSettings,
        tables: PlatformTables,
        *,
        clock: Clock | None = None,
        policy: ProgramPolicy | None = None,
    ) -> Platform:
        program_clock = ProgramClock() if clock is None and settings.program_time_enabled else None
        clock = clock or program_clock or SystemClock()
        policy = policy or load_policy(settings.policy_file)
        db = Database(
            settings.database_url,
            pool_size=settings.db_pool_size,
            hot_read_pool_size=settings.hot_read_pool_size,
            hot_read_cache_entries=settings.hot_read_cache_entries,
            hot_read_cache_seconds=settings.hot_read_cache_seconds,
        )
        naming = Naming(settings.nats_namespace)
        bus = EventBus(
            settings.nats_url,
            naming,
            client_name=name,
            stream_replicas=settings.nats_stream_replicas,
            security=nats_security(settings),
        )
        watch_pool(name, db.engine.pool)
        secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
        verifier = TokenVerifier(
            algorithm=settings.jwt_algorithm,
            secret=secret,
            public_key_file=settings.jwt_public_key_file,
            public_keys_dir=settings.jwt_public_keys_dir,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            max_lifetimes=settings.jwt_max_lifetime_seconds,
        )
        # Tokens are checked against real time by every receiver, whatever the program
        # clock says (tests move that one), so the issuer always uses the wall clock.
        wall_clock = SystemClock()
        issuer = TokenIssuer(
            algorithm=settings.jwt_algorithm,
            clock=wall_clock,
            secret=secret,
            private_key_file=settings.jwt_private_key_file,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
        relay = OutboxRelay(
            db, tables, bus, clock, batch_size=settings.relay_batch_size, poll_seconds=settings.relay_poll_seconds
        )
        trace_shutdown = configure_tracing(name, settings.otlp_endpoint)
        log.info("policy.loaded", version=policy.version, file=str(settings.policy_file))
        return cls(
            _trace_shutdown=trace_shutdown,
            name=name,
            settings=settings,
            clock=clock,
            policy=policy,
            db=db,
            tables=tables,
            naming=naming,
            bus=bus,
            verifier=verifier,
            issuer=issuer,
            service_token=ServiceToken(issuer, wall_clock, name),
            relay=relay,
            program_clock=program_clock,
        )

    def uow_options(self) -> dict[str, Any]:
        """Keyword arguments for a :class:`SqlUnitOfWork` subclass of this process."""
        return {
            "source": self.name,
            "naming": self.naming,
            "clock": self.clock,
            "policy_version": self.policy.version,
            "after_commit": self.relay.notify,
        }

    async def connect(self) -> None:
        await self.bus.connect()
        await self.bus.ensure_stream(self.name)
        if self.program_clock is not None:
            self._follower = ProgramTimeFollower(
                self.bus.js, self.naming.namespace, self.program_clock, self.name, replicas=self.bus.stream_replicas
            )
            await self._follower.start()

    def daily_scheduler(self, hour: int, minute: int, job: DailyJob, name: str) -> DailyScheduler:
        """A daily job at hh:mm Kyiv, run once per date of program time, its progress kept
        in NATS (call after :meth:`connect`)."""
        return DailyScheduler(
            self.clock,
            hour,
            minute,
            job,
            name,
            progress=KvJobProgress(self.bus.js, self.naming.namespace, replicas=self.bus.stream_replicas),
            moves=self.program_clock,
        )

    def channel(self, target: str, *, deadline_seconds: float = 5.0) -> grpc.aio.Channel:
        """A channel to another service of the suite, authenticated as this service."""
        s = self.settings
        tls = ClientTls(s.tls_ca_file, s.tls_cert_file, s.tls_key_file) if s.tls_ca_file else None
        channel = make_channel(target, token=self.service_token, tls=tls, deadline_seconds=deadline_seconds)
        self._channels.append(channel)
        return channel

    def server(
        self,
        services: Sequence[GrpcService],
        *,
        consumers: Sequence[EventConsumer[Any]] = (),
        background: Sequence[BackgroundTask] = (),
    ) -> ServerApp:
        s = self.settings
        tls = TlsFiles(s.tls_cert_file, s.tls_key_file, s.tls_ca_file) if s.tls_cert_file and s.tls_key_file else None
        return ServerApp(
            name=self.name,
            services=services,
            verifier=self.verifier,
            host=s.grpc_host,
            port=s.grpc_port,
            tls=tls,
            grace_seconds=s.shutdown_grace_seconds,
            log_sample=s.access_log_sample,
            metrics_port=s.metrics_port,
            metrics_host=s.grpc_host,
            reuse_port=s.processes > 1,
            background=[
                self.relay.run,
                Housekeeping(self.db, self.tables, self.clock).run,
                *([self._follower.run] if self._follower is not None else []),
                *(c.run for c in consumers),
                *background,
            ],
            on_shutdown=[self.close, *([self._trace_shutdown] if self._trace_shutdown else [])],
            reflection=s.reflection_enabled,
            notice_seconds=s.shutdown_notice_seconds,
        )

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
        await self.bus.close()
        await self.db.dispose()


def nats_security(settings: ServiceSettings) -> NatsSecurity:
    password = settings.nats_password.get_secret_value() if settings.nats_password else None
    return NatsSecurity(
        ca_file=settings.nats_tls_ca_file,
        cert_file=settings.nats_tls_cert_file,
        key_file=settings.nats_tls_key_file,
        credentials_file=settings.nats_credentials_file,
        user=settings.nats_user,
        password=password,
    )


UowFactory = Callable[[], SqlUnitOfWork]
