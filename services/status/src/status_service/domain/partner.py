"""The partner aggregate: one approved participant and everything the status service owns about it.

Operations live in topic modules (lifecycle, card_moderation, staffing, competency_decisions,
status_engine, sanction_effects); each changes the aggregate and records domain events in
``events`` for the unit of work to put in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ppcore.errors import FailedPrecondition
from ppcore.personal_data import LegalBasis
from status_service.domain.card import PartnerCard
from status_service.domain.competencies import HeldCompetency
from status_service.domain.contract import ContractApplication
from status_service.domain.employees import Roster
from status_service.domain.enums import ContractState, LegalForm
from status_service.domain.events import DomainEvent
from status_service.domain.sanctions import ActiveSanction, Restrictions
from status_service.domain.status_record import StatusHistoryEntry, StatusRecord
from status_service.domain.termination import Termination


@dataclass
class Partner:
    partner_id: str
    application_id: str
    company_name: str
    legal_form: LegalForm
    city: str
    approved_date: date
    status: StatusRecord
    roster: Roster
    card: PartnerCard
    contract: ContractApplication | None = None
    termination: Termination | None = None
    competencies: dict[str, HeldCompetency] = field(default_factory=dict)
    sanctions: dict[str, ActiveSanction] = field(default_factory=dict)
    # project id -> Kyiv date both monitoring stages completed (from the points service).
    monitoring_completions: dict[str, date] = field(default_factory=dict)
    active_points: int = 0
    active_points_date: date | None = None
    history: list[StatusHistoryEntry] = field(default_factory=list)
    # Why the card's contacts are held (R-PD-01, annex 1 p.2.2: the partner agreement).
    contacts_legal_basis: LegalBasis = LegalBasis.PARTIES_AGREEMENTS
    events: list[DomainEvent] = field(default_factory=list)

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    def is_terminated(self, on: date) -> bool:
        return self.termination is not None and self.termination.in_effect(on)

    @property
    def contract_accepted(self) -> bool:
        return self.contract is not None and self.contract.state is ContractState.ACCEPTED

    def restrictions(self, on: date) -> Restrictions:
        return Restrictions.of(self.sanctions, on)

    def require_active(self, on: date, *, rule: str = "R-PRT-07") -> None:
        """Refuse changes to a partner whose participation has ended."""
        if self.is_terminated(on):
            raise FailedPrecondition(
                reason="PARTNER_TERMINATED",
                message=f"partner {self.partner_id} is terminated since "
                f"{self.termination.effective_date.isoformat() if self.termination else '?'} ({rule})",
                rule=rule,
            )
