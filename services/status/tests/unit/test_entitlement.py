"""The discount entitlement answer (R-ENT-01/02, R-STS-06)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.entitlement import EntitlementSnapshot, check_discount_entitlement
from status_service.domain.enums import EntitlementReason, Role

OK = EntitlementSnapshot(
    partner_id="p1",
    tier=Tier.CERTIFIED,
    terminated=False,
    contract_accepted=True,
    contract_suspended=False,
    discount_blocked=False,
    discount_blocked_until=None,
    buyer_role=Role.FULL,
)


def test_entitled_buyer_gets_the_status_discount(policy: ProgramPolicy) -> None:
    """R-ENT-01, R-STS-06: the answer is the status discount with its reason."""
    decision = check_discount_entitlement(OK, "SITE_MANAGEMENT", policy)
    assert (decision.allowed, decision.discount_percent, decision.tier, decision.reason) == (
        True,
        45,
        Tier.CERTIFIED,
        EntitlementReason.ENTITLED,
    )
    assert decision.policy_version == policy.version


def test_each_refusal_names_its_reason(policy: ProgramPolicy) -> None:
    """R-ENT-01: terminated, suspended, blocked (until a date), contract not accepted, product not eligible."""
    cases = {
        EntitlementReason.TERMINATED: replace(OK, terminated=True),
        EntitlementReason.CONTRACT_SUSPENDED: replace(OK, contract_suspended=True),
        EntitlementReason.DISCOUNT_BLOCKED: replace(OK, discount_blocked=True, discount_blocked_until=date(2026, 9, 1)),
        EntitlementReason.CONTRACT_NOT_ACCEPTED: replace(OK, contract_accepted=False),
    }
    for reason, snapshot in cases.items():
        decision = check_discount_entitlement(snapshot, "SITE_MANAGEMENT", policy)
        assert (decision.allowed, decision.discount_percent, decision.reason) == (False, 0, reason)
    blocked = check_discount_entitlement(cases[EntitlementReason.DISCOUNT_BLOCKED], "SITE_MANAGEMENT", policy)
    assert blocked.blocked_until_date == date(2026, 9, 1)
    assert check_discount_entitlement(None, "SITE_MANAGEMENT", policy).reason is EntitlementReason.UNKNOWN_BUYER


def test_bitrix24_products_are_not_discounted(policy: ProgramPolicy) -> None:
    """R-STS-06: except Bitrix24 cloud and box (policy)."""
    for family in ("BITRIX24_CLOUD", "BITRIX24_BOX", "UNKNOWN"):
        assert check_discount_entitlement(OK, family, policy).reason is EntitlementReason.PRODUCT_NOT_ELIGIBLE


def test_only_main_user_and_full_rights_buy_at_the_discount(policy: ProgramPolicy) -> None:
    """R-ENT-02: limited employees and certified specialists have no purchase right."""
    for role, allowed in (
        (Role.MAIN, True),
        (Role.FULL, True),
        (Role.LIMITED, False),
        (Role.CERTIFIED_SPECIALIST, False),
    ):
        decision = check_discount_entitlement(replace(OK, buyer_role=role), "SOLUTIONS", policy)
        assert decision.allowed is allowed
        if not allowed:
            assert decision.reason is EntitlementReason.NO_PURCHASE_RIGHT
    assert check_discount_entitlement(replace(OK, buyer_role=None), "SOLUTIONS", policy).allowed
