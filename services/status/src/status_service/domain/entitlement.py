"""The discount entitlement answer for the sales platform (R-ENT-01/02, R-STS-06).

The hot path: the service keeps one small ``EntitlementSnapshot`` per partner and login
and this function answers from it alone, with no call to another service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.employees import can_buy_at_discount
from status_service.domain.enums import EntitlementReason, Role
from status_service.domain.partner import Partner


@dataclass(frozen=True, slots=True)
class EntitlementSnapshot:
    """What the answer depends on, as of one Kyiv day."""

    partner_id: str
    tier: Tier
    terminated: bool
    contract_accepted: bool
    contract_suspended: bool
    discount_blocked: bool
    discount_blocked_until: date | None
    # The buyer's role; None when the sales platform asks by partner id.
    buyer_role: Role | None


def entitlement_snapshot(partner: Partner, buyer_login: str | None, today: date) -> EntitlementSnapshot | None:
    """None when the login is not attached to this partner (an unknown buyer)."""
    role: Role | None = None
    if buyer_login is not None:
        employee = partner.roster.get(buyer_login)
        if employee is None:
            return None
        role = employee.role
    restrictions = partner.restrictions(today)
    return EntitlementSnapshot(
        partner_id=partner.partner_id,
        tier=partner.status.tier,
        terminated=partner.is_terminated(today),
        contract_accepted=partner.contract_accepted,
        contract_suspended=restrictions.contract_suspended,
        discount_blocked=restrictions.discount_blocked,
        discount_blocked_until=restrictions.discount_blocked_until,
        buyer_role=role,
    )


@dataclass(frozen=True, slots=True)
class EntitlementDecision:
    allowed: bool
    reason: EntitlementReason
    discount_percent: int
    tier: Tier | None
    partner_id: str
    blocked_until_date: date | None
    policy_version: str
    # R-ENT-01: no buyer named, so no buyer's purchase right was checked: an answer for
    # staff about the partner, never the sales platform's answer for a purchase.
    staff_query: bool = False


def product_family_eligible(product_family: str, policy: ProgramPolicy) -> bool:
    """Program products and solutions, never Bitrix24 cloud or box (*policy*, R-STS-06)."""
    discount = policy.discount
    return product_family in discount.eligible_product_families and product_family not in (
        discount.excluded_product_families
    )


def check_discount_entitlement(
    snapshot: EntitlementSnapshot | None, product_family: str, policy: ProgramPolicy, *, staff_query: bool = False
) -> EntitlementDecision:
    """May this buyer buy this product at the partner discount, at what rate, and why (R-ENT-01).

    ``staff_query``: asked by partner id without a buyer; the answer says so.
    """

    def refuse(reason: EntitlementReason, until: date | None = None) -> EntitlementDecision:
        return EntitlementDecision(
            allowed=False,
            reason=reason,
            discount_percent=0,
            tier=snapshot.tier if snapshot else None,
            partner_id=snapshot.partner_id if snapshot else "",
            blocked_until_date=until,
            policy_version=policy.version,
            staff_query=staff_query,
        )

    if snapshot is None:
        return refuse(EntitlementReason.UNKNOWN_BUYER)
    if snapshot.terminated:
        return refuse(EntitlementReason.TERMINATED)  # R-PRT-07
    if snapshot.contract_suspended:
        return refuse(EntitlementReason.CONTRACT_SUSPENDED)  # R-SAN-09
    if snapshot.discount_blocked:
        return refuse(EntitlementReason.DISCOUNT_BLOCKED, snapshot.discount_blocked_until)  # R-SAN-07
    # R-ENT-01: approval concludes the standard contract (1.2), so the discount applies from
    # approval; a *policy* switch, off by default, delays it until the application is accepted.
    if not snapshot.contract_accepted and policy.discount.discount_only_after_contract_accepted:
        return refuse(EntitlementReason.CONTRACT_NOT_ACCEPTED)
    if snapshot.buyer_role is not None and not can_buy_at_discount(snapshot.buyer_role):
        return refuse(EntitlementReason.NO_PURCHASE_RIGHT)  # R-ENT-02
    if not product_family_eligible(product_family, policy):
        return refuse(EntitlementReason.PRODUCT_NOT_ELIGIBLE)  # R-STS-06
    return EntitlementDecision(
        allowed=True,
        reason=EntitlementReason.ENTITLED,
        discount_percent=policy.discount_percent(snapshot.tier),  # R-STS-06
        tier=snapshot.tier,
        partner_id=snapshot.partner_id,
        blocked_until_date=None,
        policy_version=policy.version,
        staff_query=staff_query,
    )
