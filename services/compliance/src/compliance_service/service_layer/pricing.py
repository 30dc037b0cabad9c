"""Resale-price checks, agreed discounts and control purchases (R-PRC-01..03).

The check is the sales platform's hot path: :class:`PriceList` answers from the policy
price list held in memory, so an allowed price never touches the database. Only a price
below list goes on to :func:`refused_price`: an agreed discount that covers it allows it,
otherwise it opens a dumping incident, once per order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.domain import pricing as domain
from compliance_service.domain.agreed_discounts import AgreedDiscount, covering_agreement, record_agreed_discount
from compliance_service.domain.evidence import Evidence
from compliance_service.service_layer.cases import load_case
from compliance_service.service_layer.deps import Deps, partner_not_found
from ppcore.clock import kyiv_date
from ppcore.errors import InvalidArgument, not_found
from ppcore.policy import ProgramPolicy


class PriceList:
    """List prices by what is sold, read once from the policy (R-PRC-01/02)."""

    def __init__(self, policy: ProgramPolicy) -> None:
        self._policy = policy
        self._catalogue = domain.PriceCatalogue(policy)
        self.products = frozenset(
            {edition.code for edition in policy.editions} | {plan.plan for plan in policy.price_list.cloud_plans}
        )

    def list_price(self, item: domain.SoldItem) -> Decimal:
        """The published price of what is sold (R-PRC-02)."""
        return self._catalogue.list_price(item)

    def check(
        self, *, partner_id: str, item: domain.SoldItem, price_uah: Decimal, currency: str
    ) -> domain.PriceVerdict:
        """Allowed when not below the list price of ``item``; pure and database-free (R-PRC-02)."""
        if not partner_id:
            raise InvalidArgument.for_field(
                "partner_id", "must not be empty", reason="PARTNER_REQUIRED", rule="R-PRC-02"
            )
        return domain.check_resale_price(
            price_uah=price_uah,
            list_price_uah=self._catalogue.list_price(item),
            currency=currency,
            policy=self._policy,
        )


@dataclass(frozen=True)
class PriceAnswer:
    """A price below list: allowed by an agreement, or refused with its dumping case."""

    agreed_discount_id: str = ""
    dumping_case_id: str = ""

    @property
    def allowed(self) -> bool:
        return bool(self.agreed_discount_id)


async def refused_price(
    uow: ComplianceUnitOfWork,
    deps: Deps,
    verdict: domain.PriceVerdict,
    *,
    partner_id: str,
    order_id: str,
    item: domain.SoldItem,
) -> PriceAnswer:
    """A price below list: allowed when a recorded agreed discount covers it (R-PRC-01, 10.6),
    otherwise a dumping incident for review (R-PRC-02)."""
    today = kyiv_date(deps.clock.now())
    agreement = covering_agreement(
        await uow.agreed_discounts.in_force(partner_id, today),
        partner_id=partner_id,
        item=item,
        on=today,
        price_uah=verdict.price_uah,
        list_price_uah=verdict.list_price_uah,
    )
    if agreement is not None:
        return PriceAnswer(agreed_discount_id=agreement.agreed_discount_id)
    case_id = await open_dumping_incident(
        uow, deps, verdict, partner_id=partner_id, order_id=order_id, edition_code=item.product_code, item=item
    )
    return PriceAnswer(dumping_case_id=case_id)


@dataclass(frozen=True)
class RecordAgreedDiscount:
    description: str
    vendor_reference: str
    partner_id: str
    product_code: str
    sale_kind: domain.SaleKind | None
    max_discount_percent: Decimal
    valid_from: date
    valid_until: date
    actor: str


async def record_agreed(
    uow: ComplianceUnitOfWork, deps: Deps, prices: PriceList, command: RecordAgreedDiscount
) -> AgreedDiscount:
    """Staff record a discount the vendor agreed (R-PRC-01, 10.6)."""
    if command.partner_id and not await uow.partners.exists(command.partner_id):
        raise partner_not_found(command.partner_id)
    agreement = record_agreed_discount(
        agreed_discount_id=deps.new_id(),
        description=command.description,
        vendor_reference=command.vendor_reference,
        partner_id=command.partner_id,
        product_code=command.product_code,
        sale_kind=command.sale_kind,
        max_discount_percent=command.max_discount_percent,
        valid_from=command.valid_from,
        valid_until=command.valid_until,
        known_products=prices.products,
        recorded_by=command.actor,
        now=deps.clock.now(),
        policy=deps.policy,
    )
    uow.agreed_discounts.add(agreement)
    return agreement


async def end_agreed(
    uow: ComplianceUnitOfWork, deps: Deps, agreed_discount_id: str, *, last_date: date | None, reason: str, actor: str
) -> AgreedDiscount:
    """Staff end an agreed discount early; from the day after ``last_date`` it covers nothing (R-PRC-01)."""
    agreement = await uow.agreed_discounts.get(agreed_discount_id)
    if agreement is None:
        raise not_found("agreed_discount", agreed_discount_id)
    now = deps.clock.now()
    ended = agreement.end(last_date=last_date or kyiv_date(now), reason=reason, ended_by=actor, now=now)
    await uow.agreed_discounts.save(ended)
    return ended


async def open_dumping_incident(
    uow: ComplianceUnitOfWork,
    deps: Deps,
    verdict: domain.PriceVerdict,
    *,
    partner_id: str,
    order_id: str,
    edition_code: str,
    item: domain.SoldItem | None = None,
) -> str:
    """A refused price opens a DUMPING case for review, once per order; returns its id (R-PRC-02).

    A repeated check of the same order answers with the case opened the first time; the
    unique index on the order makes a concurrent duplicate fail instead of opening twice.
    """
    existing = await uow.cases.incident_for_order(order_id) if order_id else None
    if not domain.should_open_dumping_incident(verdict, 1 if existing else 0, deps.policy):
        return existing or ""
    case, event = domain.open_dumping_incident(
        case_id=deps.new_id(),
        partner_id=partner_id,
        order_id=order_id,
        edition_code=edition_code,
        verdict=verdict,
        item=item,
        now=deps.clock.now(),
        policy=deps.policy,
    )
    if not await uow.partners.exists(partner_id):
        raise partner_not_found(partner_id)
    uow.cases.add(case, incident_order_id=order_id)
    uow.record(event)
    return case.case_id


@dataclass(frozen=True)
class RecordControlPurchase:
    partner_id: str
    item: domain.SoldItem
    paid_price_uah: Decimal
    purchased_date: date
    evidence: Evidence
    case_id: str
    actor: str


async def record_control_purchase(
    uow: ComplianceUnitOfWork, deps: Deps, prices: PriceList, command: RecordControlPurchase
) -> domain.ControlPurchase:
    """Record a control purchase as evidence, at any time (R-PRC-03)."""
    if command.partner_id and not await uow.partners.exists(command.partner_id):
        raise partner_not_found(command.partner_id)
    case = await load_case(uow, command.case_id) if command.case_id else None
    purchase = domain.record_control_purchase(
        purchase_id=deps.new_id(),
        partner_id=command.partner_id,
        edition_code=command.item.product_code,
        paid_price_uah=command.paid_price_uah,
        list_price_uah=prices.list_price(command.item) if command.item.product_code else Decimal(0),
        purchased_date=command.purchased_date,
        evidence=command.evidence,
        recorded_by=command.actor,
        now=deps.clock.now(),
        policy=deps.policy,
        case=case,
    )
    uow.control_purchases.add(purchase)
    return purchase
