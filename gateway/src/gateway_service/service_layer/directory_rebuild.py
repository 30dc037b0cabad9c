"""Rebuild the directory read model from the owning services, then the events after a
recorded stream position (R-CARD-01/03, R-CMP-04, R-SAN-05/06).

1. Record each producer stream's last sequence (the position).
2. Read the current state from the owning services' List/Get RPCs (the snapshot) and write
   it through the same projection the event consumers use.
3. Apply every event after the recorded position, as the consumers would, recording each in
   the inbox under the consumer's name so a later redelivery is skipped.

Events that landed between 1 and 2 are in the snapshot and are applied again in 3: every
projection step sets a value or inserts by id, so applying it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.listing import ListingSanction, RankingItemKind, SanctionPeriod
from gateway_service.service_layer import directory_projection as projection
from ppcore.logging import get_logger
from ppcore.policy import Tier

log = get_logger("gateway.directory.rebuild")


@dataclass(frozen=True)
class SnapshotPartner:
    """What the owning services say about one partner now."""

    partner_id: str
    company_name: str
    city: str
    tier: Tier
    terminated: bool = False
    card: projection.PublishedCard | None = None
    competencies: tuple[str, ...] = ()
    courses_by_login: dict[str, tuple[str, ...]] = field(default_factory=dict)
    active_points: Decimal = Decimal(0)
    items: tuple[tuple[RankingItemKind, str], ...] = ()


@dataclass(frozen=True)
class SnapshotSanction:
    sanction_id: str
    partner_id: str
    kind: ListingSanction
    period: SanctionPeriod


class DirectorySource(Protocol):
    """The owning services' current state (status, points, compliance)."""

    def partners(self) -> AsyncIterator[SnapshotPartner]: ...

    def sanctions(self) -> AsyncIterator[SnapshotSanction]: ...


class EventLog(Protocol):
    """The producers' streams: where they stand, and the events after a position."""

    async def positions(self) -> dict[str, int]: ...

    def replay(self, after: dict[str, int]) -> AsyncIterator[tuple[str, bytes]]: ...


ApplyEvent = Callable[[str, bytes], Awaitable[bool]]  # (producer, envelope bytes) -> applied


@dataclass(frozen=True)
class RebuildReport:
    positions: dict[str, int]
    partners: int
    sanctions: int
    events_replayed: int


async def _write_partner(uow: GatewayUnitOfWork, partner: SnapshotPartner) -> None:
    await projection.partner_approved(uow, partner.partner_id, partner.company_name, partner.city, partner.tier)
    if partner.card is not None:
        await projection.card_published(uow, partner.partner_id, partner.card)
    for code in partner.competencies:
        await projection.competency_changed(uow, partner.partner_id, code, granted=True)
    for login, courses in partner.courses_by_login.items():
        await projection.login_attached(uow, partner.partner_id, login)
        for course in courses:
            # The status service lists courses held, not certificate ids: one row per login and course.
            await projection.certificate_changed(uow, f"{login}:{course}", login, course, revoked=False)
    await projection.active_total_changed(uow, partner.partner_id, partner.active_points)
    for kind, item_id in partner.items:
        await projection.item_counted(uow, partner.partner_id, kind, item_id)
    if partner.terminated:
        await projection.partner_terminated(uow, partner.partner_id)


async def rebuild_directory(
    uow_factory: Callable[[], GatewayUnitOfWork], source: DirectorySource, events: EventLog, apply: ApplyEvent
) -> RebuildReport:
    """Fill an empty, migrated read model (a fresh database) from ``source`` and ``events``."""
    positions = await events.positions()
    log.info("gateway.directory.rebuild.started", positions=positions)
    partners = 0
    async for partner in source.partners():
        async with uow_factory() as uow:
            await _write_partner(uow, partner)
            await uow.commit()
        partners += 1
        if partners % 500 == 0:
            log.info("gateway.directory.rebuild.progress", partners=partners)
    sanctions = 0
    async for sanction in source.sanctions():
        async with uow_factory() as uow:
            await projection.sanction_changed(
                uow, sanction.sanction_id, sanction.partner_id, sanction.kind, sanction.period
            )
            await uow.commit()
        sanctions += 1
    replayed = 0
    async for producer, data in events.replay(positions):
        replayed += int(await apply(producer, data))
    report = RebuildReport(positions=positions, partners=partners, sanctions=sanctions, events_replayed=replayed)
    log.info(
        "gateway.directory.rebuild.done",
        partners=partners,
        sanctions=sanctions,
        events_replayed=replayed,
        positions=positions,
    )
    return report
