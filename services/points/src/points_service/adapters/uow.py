"""The points unit of work: one transaction, the repositories on it, and its outbox."""

from __future__ import annotations

from collections.abc import Iterable

from partnerprogram.points.v1 import events_pb2
from points_service.adapters.daily_totals_store import DailyTotalsStore
from points_service.adapters.event_codec import event_pb
from points_service.adapters.ledger_repository import LedgerRepository
from points_service.adapters.reference_repositories import PartnerRepository, SanctionRepository
from points_service.adapters.repositories import (
    DisputeRepository,
    MonitoringRepository,
    OrderRepository,
    PointRequestRepository,
    ProjectRepository,
    SiteAliasRepository,
)
from points_service.domain.events import DomainEvent, PointsAccrued, PointsReversed
from points_service.domain.ledger import LedgerEntry
from ppcore.uow import SqlUnitOfWork


class PointsUnitOfWork(SqlUnitOfWork):
    partner_changed_type = events_pb2.PartnerDataChanged
    ledger: LedgerRepository
    orders: OrderRepository
    projects: ProjectRepository
    disputes: DisputeRepository
    site_aliases: SiteAliasRepository
    monitoring: MonitoringRepository
    point_requests: PointRequestRepository
    partners: PartnerRepository
    sanctions: SanctionRepository
    daily_totals: DailyTotalsStore

    async def _on_enter(self) -> None:
        self.ledger = LedgerRepository(self.session)
        self.orders = OrderRepository(self.session, self.touched)
        self.projects = ProjectRepository(self.session, self.touched)
        self.disputes = DisputeRepository(self.session, self.touched)
        self.site_aliases = SiteAliasRepository(self.session)
        self.monitoring = MonitoringRepository(self.session, self.touched)
        self.point_requests = PointRequestRepository(self.session, self.touched)
        self.partners = PartnerRepository(self.session)
        self.sanctions = SanctionRepository(self.session)
        self.daily_totals = DailyTotalsStore(self.session, self.db.engine.dialect.name)

    def record_entry(self, entry: LedgerEntry) -> None:
        """Append a ledger entry and announce it (PointsAccrued or PointsReversed) in the same transaction."""
        self.ledger.add(entry)
        self.publish(event_pb(entry), partner_id=entry.partner_id)

    def emit(self, events: Iterable[DomainEvent]) -> None:
        """Publish an aggregate's events; its ledger events go out through :meth:`record_entry`."""
        for event in events:
            if isinstance(event, PointsAccrued | PointsReversed):
                continue
            self.publish(event_pb(event), partner_id=event.partner_id)
