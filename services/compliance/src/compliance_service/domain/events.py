"""Domain events the compliance service publishes (plain data; the adapters encode them).

Each carries the partner and everything a consumer needs to act without calling back,
and the policy version of the decision behind it (R-POL-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from compliance_service.domain.sanction_catalogue import SanctionKind, SanctionParameters
from compliance_service.domain.violation_types import MysteryShopperKind, ViolationType


@dataclass(frozen=True)
class CaseConfirmed:
    """Staff confirmed a violation (R-VIO-01); sanctions may follow."""

    case_id: str
    partner_id: str
    violation_type: ViolationType
    mystery_shopper_kind: MysteryShopperKind | None
    violation_date: date
    reason: str
    decided_by: str
    confirmed_time: datetime
    policy_version: str


@dataclass(frozen=True)
class CaseDismissed:
    """Staff dismissed a case with a reason (R-VIO-01)."""

    case_id: str
    partner_id: str
    violation_type: ViolationType
    reason: str
    decided_by: str
    dismissed_time: datetime
    policy_version: str


@dataclass(frozen=True)
class DumpingIncidentOpened:
    """A resale price below list opened a dumping case for review (R-PRC-02)."""

    case_id: str
    partner_id: str
    order_id: str
    edition_code: str
    observed_price_uah: Decimal
    list_price_uah: Decimal
    opened_time: datetime
    policy_version: str


@dataclass(frozen=True)
class SanctionApplied:
    """A sanction takes effect from ``start_date``; the owning service enforces it (R-SAN-01)."""

    sanction_id: str
    partner_id: str
    case_id: str
    violation_type: ViolationType
    kind: SanctionKind
    start_date: date
    end_date: date | None
    parameters: SanctionParameters
    applied_by: str
    applied_time: datetime
    policy_version: str


@dataclass(frozen=True)
class SanctionLifted:
    """A sanction stopped: at its end, early by staff, or on an upheld appeal (R-SAN-01).

    ``kind_still_in_force`` tells a consumer that keeps one flag per kind whether another
    sanction of the same kind still holds (overlapping sanctions).
    """

    sanction_id: str
    partner_id: str
    case_id: str
    kind: SanctionKind
    start_date: date
    end_date: date | None
    parameters: SanctionParameters
    lift_reason: str
    lifted_by: str
    lifted_time: datetime
    kind_still_in_force: bool
    policy_version: str


@dataclass(frozen=True)
class PersonalDataErasureRequested:
    """Stop processing a person's data: every holder erases or anonymises it (R-PD-03).

    History stays, without the person. At least one identifier is set.
    """

    pd_request_id: str
    partner_id: str
    subject_login: str
    subject_email: str
    subject_phone: str
    requested_time: datetime
    policy_version: str


DomainEvent = (
    CaseConfirmed
    | CaseDismissed
    | DumpingIncidentOpened
    | SanctionApplied
    | SanctionLifted
    | PersonalDataErasureRequested
)
