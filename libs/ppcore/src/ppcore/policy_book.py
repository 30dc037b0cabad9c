"""The policy version in force on a day, for every process (R-POL-01).

Status keeps the versions registered ahead (``RegisterPolicyVersion``) and answers them with
their documents (``ListPolicyVersions``). A :class:`PolicyBook` holds the process's policy
file and those versions; :func:`follow_policy_versions` refreshes it from status every few
seconds. Decisions ask ``book.on(day)`` and record that policy's version. A version is
registered before its effective date, so the refresh only has to be faster than program
time reaches the date.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from datetime import date

import grpc

from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.logging import get_logger
from ppcore.policy import ProgramPolicy, parse_policy, policy_on

log = get_logger("ppcore.policy_book")

# (effective date, version, document) of each scheduled version.
VersionDocument = tuple[date, str, str]


class PolicyBook:
    def __init__(self, base: ProgramPolicy) -> None:
        self.base = base
        self._scheduled: dict[str, tuple[date, ProgramPolicy]] = {}

    def on(self, day: date) -> ProgramPolicy:
        return policy_on(self.base, self._scheduled.values(), day)

    def update(self, versions: Iterable[VersionDocument]) -> None:
        """Take the scheduled versions as status lists them; each document is parsed once."""
        for effective, version, document in versions:
            if version not in self._scheduled:
                self._scheduled[version] = (effective, parse_policy(document, f"policy version {version}"))


def status_versions(
    channel: grpc.aio.Channel, deadline_seconds: float
) -> Callable[[], Awaitable[list[VersionDocument]]]:
    """Fetch the scheduled versions from the status service (as this service, a system caller)."""
    stub = status_grpc.StatusServiceStub(channel)

    async def fetch() -> list[VersionDocument]:
        reply = await stub.ListPolicyVersions(status_pb.ListPolicyVersionsRequest(), timeout=deadline_seconds)
        return [(date.fromisoformat(v.effective_date), v.version, v.document) for v in reply.versions if v.document]

    return fetch


async def follow_policy_versions(
    book: PolicyBook,
    fetch: Callable[[], Awaitable[list[VersionDocument]]],
    stop: asyncio.Event,
    *,
    interval_seconds: float,
) -> None:
    """Refresh ``book`` every ``interval_seconds`` until ``stop``; a failed fetch keeps what is known."""
    while not stop.is_set():
        try:
            book.update(await fetch())
        except Exception as exc:  # status down, a refused call, a bad document: keep what is known
            log.warning("policy_versions.refresh_failed", error=str(exc)[:200], kind=type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)


def status_policy_follower(
    book: PolicyBook, channel: grpc.aio.Channel, *, deadline_seconds: float, interval_seconds: float
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A background task of a service that follows the versions status lists (R-POL-01)."""
    fetch = status_versions(channel, deadline_seconds)

    async def follow(stop: asyncio.Event) -> None:
        await follow_policy_versions(book, fetch, stop, interval_seconds=interval_seconds)

    return follow
