"""Resale-price checks and control purchases (R-PRC-01, R-PRC-02, R-PRC-03)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from compliance_service.domain.cases import ViolationCase, open_case
from compliance_service.domain.events import DumpingIncidentOpened
from compliance_service.domain.evidence import Evidence
from compliance_service.domain.violation_types import ViolationType
from ppcore.clock import kyiv_date
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy

# The edition catalogue prices are in hryvnia, so prices are compared in hryvnia only.
CATALOGUE_CURRENCY = "UAH"
# Who opens a dumping case found by the price check.
PRICE_CHECK_ACTOR = "system:price-check"


@dataclass(frozen=True)
class PriceVerdict:
    """The answer to the sales platform: may this resale price be used?"""

    allowed: bool
    price_uah: Decimal
    list_price_uah: Decimal
    policy_version: str

    @property
    def shortfall_uah(self) -> Decimal:
        """How far below list the price is (0 when allowed)."""
        return max(self.list_price_uah - self.price_uah, Decimal(0))


def check_resale_price(
    *, price_uah: Decimal, list_price_uah: Decimal, currency: str, policy: ProgramPolicy
) -> PriceVerdict:
    """Allowed when not below the list price; below it is dumping (R-PRC-01, R-PRC-02).

    Pure and allocation-light: this is the sales platform's hot path.
    """
    if currency != CATALOGUE_CURRENCY:
        raise InvalidArgument.for_field(
            "currency",
            f"list prices are in {CATALOGUE_CURRENCY}; got {currency or 'none'}",
            reason="CURRENCY_NOT_SUPPORTED",
            rule="R-PRC-02",
        )
    _require_positive("price_uah", price_uah, "R-PRC-02")
    _require_positive("list_price_uah", list_price_uah, "R-PRC-01")
    return PriceVerdict(price_uah >= list_price_uah, price_uah, list_price_uah, policy.version)


def should_open_dumping_incident(verdict: PriceVerdict, incidents_for_order: int, policy: ProgramPolicy) -> bool:
    """A refused price opens a dumping incident, but only once per order (R-PRC-02).

    ``incidents_for_order`` is how many incidents this order has opened already; a
    retried or repeated check of the same order does not open another.
    """
    return not verdict.allowed and incidents_for_order < policy.sanctions.dumping_incident_per_order


def open_dumping_incident(
    *,
    case_id: str,
    partner_id: str,
    order_id: str,
    edition_code: str,
    verdict: PriceVerdict,
    now: datetime,
    policy: ProgramPolicy,
) -> tuple[ViolationCase, DumpingIncidentOpened]:
    """Record a refused price as an open DUMPING case for staff review (R-PRC-02)."""
    if not order_id.strip():
        raise InvalidArgument.for_field(
            "order_id", "a dumping incident is tied to its order", reason="ORDER_REQUIRED", rule="R-PRC-02"
        )
    evidence = Evidence(
        description=(
            f"Resale price {verdict.price_uah} UAH for {edition_code} on order {order_id} "
            f"is below the list price {verdict.list_price_uah} UAH"
        ),
        observed_price_uah=verdict.price_uah,
        list_price_uah=verdict.list_price_uah,
        order_id=order_id,
        edition_code=edition_code,
    )
    case = open_case(
        case_id=case_id,
        partner_id=partner_id,
        violation_type=ViolationType.DUMPING,
        violation_date=kyiv_date(now),
        evidence=evidence,
        opened_by=PRICE_CHECK_ACTOR,
        now=now,
        policy=policy,
    )
    event = DumpingIncidentOpened(
        case_id=case_id,
        partner_id=partner_id,
        order_id=order_id,
        edition_code=edition_code,
        observed_price_uah=verdict.price_uah,
        list_price_uah=verdict.list_price_uah,
        opened_time=now,
        policy_version=policy.version,
    )
    return case, event


@dataclass(frozen=True)
class ControlPurchase:
    """A purchase made by the program to test a partner's prices (R-PRC-03, section 8.4)."""

    purchase_id: str
    partner_id: str
    edition_code: str
    paid_price_uah: Decimal
    list_price_uah: Decimal
    purchased_date: date
    evidence: Evidence
    recorded_by: str
    recorded_time: datetime
    case_id: str
    policy_version: str

    @property
    def below_list(self) -> bool:
        return self.paid_price_uah < self.list_price_uah

    def as_dumping_evidence(self) -> Evidence:
        """The purchase as evidence for a DUMPING case (R-PRC-01)."""
        return Evidence(
            description=self.evidence.description,
            references=self.evidence.references,
            file_hashes=self.evidence.file_hashes,
            observed_price_uah=self.paid_price_uah,
            list_price_uah=self.list_price_uah,
            edition_code=self.edition_code,
        )


def record_control_purchase(
    *,
    purchase_id: str,
    partner_id: str,
    edition_code: str,
    paid_price_uah: Decimal,
    list_price_uah: Decimal,
    purchased_date: date,
    evidence: Evidence,
    recorded_by: str,
    now: datetime,
    policy: ProgramPolicy,
    case: ViolationCase | None = None,
) -> ControlPurchase:
    """Record a control purchase at any time, optionally as evidence of a case (R-PRC-03)."""
    if not partner_id.strip():
        raise InvalidArgument.for_field("partner_id", "must not be empty", reason="PARTNER_REQUIRED", rule="R-PRC-03")
    if not edition_code.strip():
        raise InvalidArgument.for_field(
            "edition_code", "must name the purchased edition", reason="EDITION_REQUIRED", rule="R-PRC-03"
        )
    _require_positive("paid_price_uah", paid_price_uah, "R-PRC-03")
    _require_positive("list_price_uah", list_price_uah, "R-PRC-03")
    if purchased_date > kyiv_date(now):
        raise InvalidArgument.for_field(
            "purchased_date", "must not be in the future", reason="PURCHASE_DATE_IN_FUTURE", rule="R-PRC-03"
        )
    evidence.validate()
    if case is not None and case.partner_id != partner_id:
        raise InvalidArgument.for_field(
            "case_id",
            f"case {case.case_id} is about partner {case.partner_id}, not {partner_id}",
            reason="CASE_PARTNER_MISMATCH",
            rule="R-PRC-03",
        )
    return ControlPurchase(
        purchase_id=purchase_id,
        partner_id=partner_id,
        edition_code=edition_code,
        paid_price_uah=paid_price_uah,
        list_price_uah=list_price_uah,
        purchased_date=purchased_date,
        evidence=evidence,
        recorded_by=recorded_by,
        recorded_time=now,
        case_id=case.case_id if case is not None else "",
        policy_version=policy.version,
    )


def _require_positive(field_path: str, amount: Decimal, rule: str) -> None:
    if not (amount.is_finite() and amount > 0):
        raise InvalidArgument.for_field(field_path, "must be a positive amount", reason="PRICE_INVALID", rule=rule)


def list_price_uah(policy: ProgramPolicy, edition_code: str) -> Decimal:
    """The published list price of an edition, from the policy's catalogue (R-PRC-01)."""
    edition = policy.edition(edition_code)
    if edition is None:
        raise InvalidArgument.for_field(
            "edition_code", f"unknown edition {edition_code}", reason="EDITION_UNKNOWN", rule="R-PRC-01"
        )
    return edition.price_uah
