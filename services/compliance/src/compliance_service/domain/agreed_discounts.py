"""Discounts the vendor has agreed (R-PRC-01, document 10.6).

10.6 allows partners only the discounts the program provides "or others agreed with
Bitrix24". Staff record such an agreement (a promotion for every partner, or one
partner; one product or all; one kind of sale or all; for a period, with the largest
discount agreed); a resale price it covers is then neither refused nor a dumping case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from compliance_service.domain.pricing import SaleKind, SoldItem
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy

_RULE = "R-PRC-01"
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class AgreedDiscount:
    """One agreement: who (empty = every partner), what, which sale, when, and how much at most."""

    agreed_discount_id: str
    description: str
    vendor_reference: str
    partner_id: str
    product_code: str
    sale_kind: SaleKind | None
    max_discount_percent: Decimal
    valid_from: date
    valid_until: date
    recorded_by: str
    recorded_time: datetime
    policy_version: str
    ended_by: str = ""
    ended_time: datetime | None = None
    end_reason: str = ""

    def end(self, *, last_date: date, reason: str, ended_by: str, now: datetime) -> AgreedDiscount:
        """Staff end the agreement early (the vendor withdrew it, or it was recorded by mistake) (R-PRC-01).

        It still covers ``last_date``; from the next day prices below list are dumping again.
        """
        if not reason.strip():
            raise InvalidArgument.for_field(
                "reason", "say why the agreement ends", reason="AGREEMENT_END_REASON_REQUIRED", rule=_RULE
            )
        if self.ended_time is not None:
            raise FailedPrecondition(
                reason="AGREEMENT_ALREADY_ENDED",
                message=f"agreed_discount_id: {self.agreed_discount_id} was ended on {self.valid_until.isoformat()}",
                rule=_RULE,
            )
        if last_date > self.valid_until:
            raise InvalidArgument.for_field(
                "last_date",
                f"the agreement already ends on {self.valid_until.isoformat()}; it cannot be extended here",
                reason="AGREEMENT_END_AFTER_PERIOD",
                rule=_RULE,
            )
        if last_date < self.valid_from - timedelta(days=1):
            raise InvalidArgument.for_field(
                "last_date",
                f"must not be before the day before it starts ({self.valid_from.isoformat()})",
                reason="AGREEMENT_END_BEFORE_START",
                rule=_RULE,
            )
        return replace(self, valid_until=last_date, ended_by=ended_by, ended_time=now, end_reason=reason.strip())

    def covers(self, *, partner_id: str, item: SoldItem, on: date, price_uah: Decimal, list_price_uah: Decimal) -> bool:
        """True when this agreement allows ``price_uah`` for this partner, item and date."""
        if not (self.valid_from <= on <= self.valid_until):
            return False
        if self.partner_id and self.partner_id != partner_id:
            return False
        if self.product_code and self.product_code != item.product_code:
            return False
        if self.sale_kind is not None and self.sale_kind is not item.kind:
            return False
        return price_uah >= list_price_uah * (_HUNDRED - self.max_discount_percent) / _HUNDRED


def covering_agreement(
    agreements: Iterable[AgreedDiscount],
    *,
    partner_id: str,
    item: SoldItem,
    on: date,
    price_uah: Decimal,
    list_price_uah: Decimal,
) -> AgreedDiscount | None:
    """The first recorded agreement that allows the price, or None (then it is dumping, R-PRC-02)."""
    for agreement in sorted(agreements, key=lambda a: (a.recorded_time, a.agreed_discount_id)):
        if agreement.covers(
            partner_id=partner_id, item=item, on=on, price_uah=price_uah, list_price_uah=list_price_uah
        ):
            return agreement
    return None


def record_agreed_discount(
    *,
    agreed_discount_id: str,
    description: str,
    vendor_reference: str,
    partner_id: str,
    product_code: str,
    sale_kind: SaleKind | None,
    max_discount_percent: Decimal,
    valid_from: date,
    valid_until: date,
    known_products: frozenset[str],
    recorded_by: str,
    now: datetime,
    policy: ProgramPolicy,
) -> AgreedDiscount:
    """Validate and record an agreement staff enter (R-PRC-01)."""
    if not description.strip():
        raise InvalidArgument.for_field(
            "description",
            "say what was agreed (the promotion or deal)",
            reason="AGREEMENT_DESCRIPTION_REQUIRED",
            rule=_RULE,
        )
    if not vendor_reference.strip():
        raise InvalidArgument.for_field(
            "vendor_reference",
            "name the vendor's agreement (letter, promotion page, ticket)",
            reason="AGREEMENT_REFERENCE_REQUIRED",
            rule=_RULE,
        )
    if product_code and product_code not in known_products:
        raise InvalidArgument.for_field(
            "product_code",
            f"{product_code} is neither an edition nor a priced cloud plan",
            reason="AGREEMENT_PRODUCT_UNKNOWN",
            rule=_RULE,
        )
    if not (max_discount_percent.is_finite() and Decimal(0) < max_discount_percent <= _HUNDRED):
        raise InvalidArgument.for_field(
            "max_discount_percent", "must be above 0 and at most 100", reason="AGREEMENT_PERCENT_INVALID", rule=_RULE
        )
    if valid_until < valid_from:
        raise InvalidArgument.for_field(
            "valid_until_date", "must not be before valid_from_date", reason="AGREEMENT_PERIOD_INVALID", rule=_RULE
        )
    return AgreedDiscount(
        agreed_discount_id=agreed_discount_id,
        description=description.strip(),
        vendor_reference=vendor_reference.strip(),
        partner_id=partner_id.strip(),
        product_code=product_code,
        sale_kind=sale_kind,
        max_discount_percent=max_discount_percent,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorded_by,
        recorded_time=now,
        policy_version=policy.version,
    )
