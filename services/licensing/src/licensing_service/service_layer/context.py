"""What every use case needs besides its unit of work: policy, clock, ids and randomness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from licensing_service.adapters.event_codec import to_proto
from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import IdFactory, LicensingEvent, PartnerNfr, RandomBytes
from ppcore.clock import Clock, kyiv_date
from ppcore.policy import ProgramPolicy
from ppcore.policy_book import PolicyBook


@dataclass(frozen=True)
class Toolkit:
    # The policy file and the versions scheduled ahead in status (R-POL-01).
    policies: PolicyBook
    clock: Clock
    new_id: IdFactory
    random_bytes: RandomBytes

    @property
    def policy(self) -> ProgramPolicy:
        """The policy version in force today (program time): every decision uses and records it."""
        return self.policies.on(self.today())

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """The Kyiv date (R-POL-02)."""
        return kyiv_date(self.clock.now())


async def save_and_publish(uow: LicensingUnitOfWork, portfolio: PartnerNfr) -> list[LicensingEvent]:
    """Save the portfolio and queue its events in the same transaction; returns them."""
    await uow.portfolios.save(portfolio)
    events = portfolio.collect_events()
    for event in events:
        uow.publish(to_proto(event), partner_id=event.partner_id)
    return events
