"""Resale-price checks and control purchases (R-PRC-01..03).

The check is the sales platform's hot path: :class:`PriceList` answers from the policy
catalogue held in memory, so an allowed price never touches the database. Only a price
below list goes on to :func:`open_dumping_incident`, once per order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.domain import pricing as domain
from compliance_service.domain.evidence import Evidence
from compliance_service.service_layer.cases import load_case
from compliance_service.service_layer.deps import Deps, partner_not_found
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy


class PriceList:
    """List prices by edition code, read once from the policy (R-PRC-01)."""

    def __init__(self, policy: ProgramPolicy) -> None:
        self._policy = policy
        self._prices = {edition.code: edition.price_uah for edition in policy.editions}

    def list_price(self, edition_code: str) -> Decimal:
        price = self._prices.get(edition_code)
        if price is None:
            raise InvalidArgument.for_field(
                "edition_code",
                f"unknown edition {edition_code or '(empty)'}",
                reason="EDITION_UNKNOWN",
                rule="R-PRC-01",
            )
        return price

    def check(self, *, partner_id: str, edition_code: str, price_uah: Decimal, currency: str) -> domain.PriceVerdict:
        """Allowed when not below list; pure and database-free (R-PRC-02)."""
        if not partner_id:
            raise InvalidArgument.for_field(
                "partner_id", "must not be empty", reason="PARTNER_REQUIRED", rule="R-PRC-02"
            )
        return domain.check_resale_price(
            price_uah=price_uah,
            list_price_uah=self.list_price(edition_code),
            currency=currency,
            policy=self._policy,
        )


async def open_dumping_incident(
    uow: ComplianceUnitOfWork,
    deps: Deps,
    verdict: domain.PriceVerdict,
    *,
    partner_id: str,
    order_id: str,
    edition_code: str,
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
    edition_code: str
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
        edition_code=command.edition_code,
        paid_price_uah=command.paid_price_uah,
        list_price_uah=prices.list_price(command.edition_code) if command.edition_code else Decimal(0),
        purchased_date=command.purchased_date,
        evidence=command.evidence,
        recorded_by=command.actor,
        now=deps.clock.now(),
        policy=deps.policy,
        case=case,
    )
    uow.control_purchases.add(purchase)
    return purchase
