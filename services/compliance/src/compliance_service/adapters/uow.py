"""The compliance unit of work: one transaction, its repositories and its outbox."""

from __future__ import annotations

from compliance_service.adapters.event_codec import encode
from compliance_service.adapters.repositories import (
    AgreedDiscountRepository,
    CaseRepository,
    ControlPurchaseRepository,
    PartnerRepository,
    PersonalDataRepository,
    SanctionRepository,
)
from compliance_service.domain.events import DomainEvent
from partnerprogram.compliance.v1 import events_pb2
from ppcore.uow import SqlUnitOfWork


class ComplianceUnitOfWork(SqlUnitOfWork):
    partner_changed_type = events_pb2.PartnerDataChanged
    partners: PartnerRepository
    cases: CaseRepository
    sanctions: SanctionRepository
    control_purchases: ControlPurchaseRepository
    personal_data: PersonalDataRepository
    agreed_discounts: AgreedDiscountRepository

    async def _on_enter(self) -> None:
        self.partners = PartnerRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.sanctions = SanctionRepository(self.session, self.touched)
        self.control_purchases = ControlPurchaseRepository(self.session)
        self.personal_data = PersonalDataRepository(self.session)
        self.agreed_discounts = AgreedDiscountRepository(self.session)

    def record(self, event: DomainEvent) -> None:
        """Queue a domain event in this transaction's outbox, keyed by its partner."""
        self.publish(encode(event), partner_id=event.partner_id)
