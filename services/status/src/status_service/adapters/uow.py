"""The status unit of work: one transaction with the status repositories and the outbox."""

from __future__ import annotations

from partnerprogram.status.v1 import events_pb2
from ppcore.uow import SqlUnitOfWork
from status_service.adapters.lead_repository import LeadRepository
from status_service.adapters.proto_mapping import event_pb
from status_service.adapters.repositories import (
    ApplicationRepository,
    CertificateRepository,
    PartnerRepository,
    PointsTotalsRepository,
    PolicyVersionRepository,
)
from status_service.domain.events import DomainEvent


class StatusUnitOfWork(SqlUnitOfWork):
    partner_changed_type = events_pb2.PartnerDataChanged
    applications: ApplicationRepository
    partners: PartnerRepository
    certificates: CertificateRepository
    leads: LeadRepository
    policy_versions: PolicyVersionRepository
    points_totals: PointsTotalsRepository

    async def _on_enter(self) -> None:
        self.applications = ApplicationRepository(self.session)
        self.partners = PartnerRepository(self.session, self.touched)
        self.certificates = CertificateRepository(self.session)
        self.leads = LeadRepository(self.session, self.touched)
        self.policy_versions = PolicyVersionRepository(self.session)
        self.points_totals = PointsTotalsRepository(self.session)


def publish_recorded(uow: SqlUnitOfWork, events: list[DomainEvent]) -> None:
    """Put the aggregate's recorded events in the outbox of this transaction, in order."""
    for event in events:
        uow.publish(event_pb(event), partner_id=event.partner_id)
    events.clear()
