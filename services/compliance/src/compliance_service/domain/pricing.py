"""Resale-price checks and control purchases (R-PRC-01, R-PRC-02, R-PRC-03).

"List" is the published price of what is actually sold (R-PRC-02, document 8.1 "in the
corresponding sections" of the price pages): a new licence of an edition, its renewal, an upgrade from a lower
edition, or a cloud plan for a period. :class:`PriceCatalogue` holds each as its own price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

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


class SaleKind(StrEnum):
    """What is sold, each with its own list price (R-PRC-02)."""

    NEW_LICENSE = "NEW_LICENSE"
    RENEWAL = "RENEWAL"
    UPGRADE = "UPGRADE"
    CLOUD_PLAN = "CLOUD_PLAN"


@dataclass(frozen=True)
class SoldItem:
    """One price-list item: an edition (new, renewal, upgrade from another) or a cloud plan for a period."""

    kind: SaleKind
    edition_code: str = ""
    from_edition_code: str = ""
    cloud_plan: str = ""
    period_months: int = 0

    @property
    def product_code(self) -> str:
        """The product an agreed discount may name: the edition sold, or the cloud plan."""
        return self.cloud_plan if self.kind is SaleKind.CLOUD_PLAN else self.edition_code

    def describe(self) -> str:
        if self.kind is SaleKind.CLOUD_PLAN:
            return f"cloud plan {self.cloud_plan} for {self.period_months} months"
        if self.kind is SaleKind.UPGRADE:
            return f"upgrade {self.from_edition_code} -> {self.edition_code}"
        if self.kind is SaleKind.RENEWAL:
            return f"renewal of {self.edition_code}"
        return f"new licence of {self.edition_code}"


class PriceCatalogue:
    """The policy price list by item (R-PRC-01/02), read once; pure and allocation-light."""

    def __init__(self, policy: ProgramPolicy) -> None:
        prices = policy.price_list
        self._new = {edition.code: edition.price_uah for edition in policy.editions}
        self._renewal = dict(prices.renewals)
        self._upgrade = {(u.from_edition, u.to_edition): u.price_uah for u in prices.upgrades}
        self._cloud = {(c.plan, c.period_months): c.price_uah for c in prices.cloud_plans}

    def list_price(self, item: SoldItem) -> Decimal:
        """The published price of ``item``; an item the price list does not hold is invalid input."""
        if item.kind is SaleKind.CLOUD_PLAN:
            price = self._cloud.get((item.cloud_plan, item.period_months))
            if price is None:
                periods = sorted(months for plan, months in self._cloud if plan == item.cloud_plan)
                raise InvalidArgument.for_field(
                    "cloud_plan" if not periods else "period_months",
                    f"the price list has no cloud plan {item.cloud_plan or '(empty)'} for "
                    f"{item.period_months} months (periods priced: {periods or 'none'})",
                    reason="CLOUD_PLAN_NOT_PRICED",
                    rule="R-PRC-02",
                )
            return price
        new = self._new.get(item.edition_code)
        if new is None:
            raise InvalidArgument.for_field(
                "edition_code",
                f"unknown edition {item.edition_code or '(empty)'}",
                reason="EDITION_UNKNOWN",
                rule="R-PRC-01",
            )
        if item.kind is SaleKind.NEW_LICENSE:
            return new
        if item.kind is SaleKind.RENEWAL:
            return self._renewal[item.edition_code]
        upgrade = self._upgrade.get((item.from_edition_code, item.edition_code))
        if upgrade is None:
            raise InvalidArgument.for_field(
                "from_edition_code",
                f"the price list has no upgrade {item.from_edition_code or '(empty)'} -> {item.edition_code}",
                reason="UPGRADE_NOT_PRICED",
                rule="R-PRC-02",
            )
        return upgrade


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
    item: SoldItem | None = None,
) -> tuple[ViolationCase, DumpingIncidentOpened]:
    """Record a refused price as an open DUMPING case for staff review (R-PRC-02)."""
    if not order_id.strip():
        raise InvalidArgument.for_field(
            "order_id", "a dumping incident is tied to its order", reason="ORDER_REQUIRED", rule="R-PRC-02"
        )
    evidence = Evidence(
        description=(
            f"Resale price {verdict.price_uah} UAH for {item.describe() if item else edition_code} "
            f"on order {order_id} is below the list price {verdict.list_price_uah} UAH"
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
    """The published list price of a new licence of an edition (R-PRC-01)."""
    return PriceCatalogue(policy).list_price(SoldItem(SaleKind.NEW_LICENSE, edition_code))
