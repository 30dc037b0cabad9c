"""Domain events recorded by the status aggregates and published through the outbox.

Each carries the partner id and what a consumer needs to act without calling back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ppcore.policy import Tier
from status_service.domain.card import CardContent
from status_service.domain.enums import (
    AccessGroup,
    CardItem,
    LegalForm,
    Role,
    StatusChangeReason,
    TerminationForm,
)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    partner_id: str
    occurred_time: datetime


@dataclass(frozen=True, kw_only=True)
class PartnerApproved(DomainEvent):
    application_id: str
    company_name: str
    legal_form: LegalForm
    city: str
    main_login: str
    # canonical_city(city): one key per place, for read models filtering by city (R-LEAD-01).
    city_key: str
    tier: Tier
    policy_version: str


@dataclass(frozen=True, kw_only=True)
class ContractAccepted(DomainEvent):
    contract_id: str
    accepted_date: date


@dataclass(frozen=True, kw_only=True)
class ContractRefused(DomainEvent):
    contract_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class TerminationScheduled(DomainEvent):
    form: TerminationForm
    notice_date: date
    effective_date: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class PartnerTerminated(DomainEvent):
    form: TerminationForm
    effective_date: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class StatusChanged(DomainEvent):
    from_tier: Tier | None
    to_tier: Tier
    reason: StatusChangeReason
    granted_date: date
    valid_until_date: date | None
    discount_percent: int
    policy_version: str
    sanction_id: str = ""


@dataclass(frozen=True, kw_only=True)
class StatusConfirmed(DomainEvent):
    tier: Tier
    granted_date: date
    valid_until_date: date
    policy_version: str


@dataclass(frozen=True, kw_only=True)
class CardPublished(DomainEvent):
    revision_id: str
    content: CardContent
    public_list_eligible: bool
    missing_items: tuple[CardItem, ...]
    # The canonical key of the partner's city after this card (its office city, R-LEAD-01).
    city_key: str


@dataclass(frozen=True, kw_only=True)
class EmployeeAttached(DomainEvent):
    login: str
    role: Role
    access_groups: frozenset[AccessGroup]


@dataclass(frozen=True, kw_only=True)
class EmployeeDetached(DomainEvent):
    login: str
    role: Role


@dataclass(frozen=True, kw_only=True)
class EmployeeAccessChanged(DomainEvent):
    login: str
    role: Role
    access_groups: frozenset[AccessGroup]


@dataclass(frozen=True, kw_only=True)
class MainUserChanged(DomainEvent):
    previous_login: str
    new_login: str


@dataclass(frozen=True, kw_only=True)
class CertificateRecorded(DomainEvent):
    """``partner_id`` is empty when the login is attached to no partner."""

    certificate_id: str
    login: str
    course_code: str
    issued_date: date


@dataclass(frozen=True, kw_only=True)
class CertificateRevoked(DomainEvent):
    certificate_id: str
    login: str
    course_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class CompetencyGranted(DomainEvent):
    code: str
    automatic: bool
    # Held all along and shown again: its gate holds once more (R-CMP-02).
    resumed: bool = False


@dataclass(frozen=True, kw_only=True)
class CompetencyRevoked(DomainEvent):
    code: str
    reason: str
    sanction_id: str = ""
    # Still held but no longer shown: its gate fails (losing Gold suspends Large corporate
    # implementations, R-CMP-02); a CompetencyGranted with ``resumed`` brings it back.
    suspended: bool = False
