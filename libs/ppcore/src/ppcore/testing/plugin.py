"""pytest plugin shared by every suite: real PostgreSQL, real nats-server, clock, tokens.

PostgreSQL: ``PP_TEST_POSTGRES_URL`` (default postgres@127.0.0.1:5432). When it cannot
be reached, tests that need it skip, unless ``PP_REQUIRE_POSTGRES=1`` (CI), where they
fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ppcore.auth import Caller, CallerKind, PartnerRole, TokenIssuer
from ppcore.clock import FixedClock
from ppcore.migrations import upgrade_async
from ppcore.policy import ProgramPolicy, load_policy
from ppcore.testing.nats import NatsServer
from ppcore.testing.postgres import admin_url, create_database, drop_database, postgres_available

TEST_JWT_SECRET = "test-secret-for-the-test-suite-only"


@pytest.fixture(scope="session")
def policy() -> ProgramPolicy:
    return load_policy()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(Path(tmp_path_factory.mktemp("nats")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def nats_namespace() -> str:
    """A subject/stream namespace of its own, so tests sharing one server never collide."""
    return f"t{uuid.uuid4().hex[:10]}"


async def require_postgres() -> str:
    """The admin URL of the test PostgreSQL; skips the test without one, or fails it in CI."""
    url = admin_url()
    problem = await postgres_available(url)
    if problem is not None:
        message = f"PostgreSQL unavailable at {url}: {problem}"
        if os.environ.get("PP_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
async def postgres_admin_url() -> str:
    return await require_postgres()


@pytest.fixture(scope="session")
async def make_pg_database(postgres_admin_url: str) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Factory of fresh, empty databases; all are dropped at the end of the run."""
    created: list[str] = []

    async def make() -> str:
        url = await create_database(postgres_admin_url)
        created.append(url)
        return url

    yield make
    for url in created:
        await drop_database(postgres_admin_url, url)


@pytest.fixture(scope="session")
async def make_migrated_database(postgres_admin_url: str) -> AsyncIterator[Callable[[Path], Awaitable[str]]]:
    """Factory of fresh databases at the head of a migrations directory. The first call for
    a directory migrates a template database; every call copies it (CREATE DATABASE ...
    TEMPLATE), so a test pays for a copy, not for the whole migration history. All are
    dropped at the end of the run."""
    templates: dict[Path, str] = {}
    lock = asyncio.Lock()
    created: list[str] = []

    async def template_of(migrations_dir: Path) -> str:
        async with lock:
            if migrations_dir not in templates:
                url = await create_database(postgres_admin_url, prefix="pp_tpl")
                created.append(url)
                await upgrade_async(migrations_dir, url)
                templates[migrations_dir] = url
            return templates[migrations_dir]

    async def make(migrations_dir: Path) -> str:
        url = await create_database(postgres_admin_url, template=await template_of(migrations_dir))
        created.append(url)
        return url

    yield make
    for url in reversed(created):
        await drop_database(postgres_admin_url, url)


class Tokens:
    """Mints bearer tokens for tests."""

    def __init__(self, secret: str = TEST_JWT_SECRET) -> None:
        self.issuer = TokenIssuer(
            algorithm="HS256",
            clock=_WallClock(),
            secret=secret,
            issuer="partnerprogram",
            audience="partnerprogram",
        )

    def staff(self, subject: str = "staff:moderator", groups: frozenset[str] = frozenset()) -> str:
        return self.issuer.mint(Caller(CallerKind.STAFF, subject, groups=groups))

    def system(self, subject: str = "system:test") -> str:
        return self.issuer.mint(Caller(CallerKind.SYSTEM, subject))

    def sales_platform(self, subject: str = "system:sales-platform") -> str:
        return self.issuer.mint(Caller(CallerKind.SALES_PLATFORM, subject))

    def partner_user(
        self,
        partner_id: str,
        role: PartnerRole = PartnerRole.MAIN,
        subject: str = "login:user",
        groups: frozenset[str] = frozenset(),
    ) -> str:
        return self.issuer.mint(Caller(CallerKind.PARTNER_USER, subject, partner_id, role, groups))

    def expired(self) -> str:
        return self.issuer.mint(Caller(CallerKind.STAFF, "staff:late"), ttl=timedelta(seconds=-60))

    def metadata(self, token: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {token}"),)


class _WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens()
