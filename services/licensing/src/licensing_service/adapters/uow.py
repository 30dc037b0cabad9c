"""The licensing unit of work: one transaction with its repositories and outbox."""

from __future__ import annotations

from licensing_service.adapters.key_registry import CommercialKeyRepository
from licensing_service.adapters.portfolio_repository import PortfolioRepository
from licensing_service.adapters.sales_ledger import SalesLedger
from licensing_service.adapters.sanctions import SanctionRepository
from partnerprogram.licensing.v1 import events_pb2
from ppcore.uow import SqlUnitOfWork


class LicensingUnitOfWork(SqlUnitOfWork):
    partner_changed_type = events_pb2.PartnerDataChanged
    portfolios: PortfolioRepository
    commercial_keys: CommercialKeyRepository
    sales: SalesLedger
    sanctions: SanctionRepository

    async def _on_enter(self) -> None:
        self.portfolios = PortfolioRepository(self.session, self.touched)
        self.commercial_keys = CommercialKeyRepository(self.session)
        self.sales = SalesLedger(self.session)
        self.sanctions = SanctionRepository(self.session)
