"""The discount entitlement answer (R-ENT-01/02, R-STS-06)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy, Tier
from ppcore.purchase import require_buyer_for_purchase
from status_service.domain.entitlement import (
    EntitlementSnapshot,
    check_discount_entitlement,
)
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
    """R-ENT-01: terminated, suspended, blocked (until a date), contract not accepted (with the
    policy switch on), product not eligible."""
    cases = {
        EntitlementReason.TERMINATED: replace(OK, terminated=True),
        EntitlementReason.CONTRACT_SUSPENDED: replace(OK, contract_suspended=True),
        EntitlementReason.DISCOUNT_BLOCKED: replace(OK, discount_blocked=True, discount_blocked_until=date(2026, 9, 1)),
        EntitlementReason.CONTRACT_NOT_ACCEPTED: replace(OK, contract_accepted=False),
    }
    delayed = _delay_until_accepted(policy)
    for reason, snapshot in cases.items():
        decision = check_discount_entitlement(snapshot, "SITE_MANAGEMENT", delayed)
        assert (decision.allowed, decision.discount_percent, decision.reason) == (False, 0, reason)
    blocked = check_discount_entitlement(cases[EntitlementReason.DISCOUNT_BLOCKED], "SITE_MANAGEMENT", policy)
    assert blocked.blocked_until_date == date(2026, 9, 1)
    assert check_discount_entitlement(None, "SITE_MANAGEMENT", policy).reason is EntitlementReason.UNKNOWN_BUYER


def _delay_until_accepted(policy: ProgramPolicy) -> ProgramPolicy:
    discount = policy.discount.model_copy(update={"discount_only_after_contract_accepted": True})
    return policy.model_copy(update={"discount": discount})


def test_bitrix24_products_are_not_discounted(policy: ProgramPolicy) -> None:
    """R-STS-06: except Bitrix24 cloud and box (policy)."""
    for family in ("BITRIX24_CLOUD", "BITRIX24_BOX", "UNKNOWN"):
        assert check_discount_entitlement(OK, family, policy).reason is EntitlementReason.PRODUCT_NOT_ELIGIBLE


def test_site_management_and_mobile_app_and_their_solutions_are_discounted(policy: ProgramPolicy) -> None:
    """R-STS-06: the program is "по продуктах «Управління сайтом» та «Мобільний застосунок»"
    (title page); the discount is "на всю Програмну продукцію компанії «Бітрікс24» та рішення,
    які постачаються компанією (крім продуктів «Бітрікс24»)" (general information).
    """  # noqa: RUF002
    for family in ("SITE_MANAGEMENT", "MOBILE_APP", "SOLUTIONS"):
        decision = check_discount_entitlement(OK, family, policy)
        assert (decision.allowed, decision.discount_percent) == (True, 45), family
    for family in ("BITRIX24_BOX", "BITRIX24_CLOUD"):
        assert not check_discount_entitlement(OK, family, policy).allowed


def test_discount_applies_from_approval_before_the_contract_application_is_accepted(policy: ProgramPolicy) -> None:
    """R-ENT-01: on approval "з компанією-претендентом укладений типовий договір партнерських
    поставок" (1.2) and "Бізнес-партнер" gets "Знижку в розмірі 40%" (2.1): the discount holds
    from approval. The switch delaying it until the application is accepted is off by default.
    """
    waiting = replace(OK, tier=Tier.BUSINESS, contract_accepted=False)
    assert policy.discount.discount_only_after_contract_accepted is False
    decision = check_discount_entitlement(waiting, "SITE_MANAGEMENT", policy)
    assert (decision.allowed, decision.discount_percent, decision.reason) == (True, 40, EntitlementReason.ENTITLED)
    delayed = check_discount_entitlement(waiting, "SITE_MANAGEMENT", _delay_until_accepted(policy))
    assert (delayed.allowed, delayed.reason) == (False, EntitlementReason.CONTRACT_NOT_ACCEPTED)


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


def test_a_purchase_check_names_the_buyer_and_a_partner_id_check_is_a_staff_query(policy: ProgramPolicy) -> None:
    """R-ENT-01/02: "Працівник Партнера з повним правом має право здійснювати придбання ПП з
    партнерською знижкою" (4.1.2), a limited one has "немає можливості купувати ПП з партнерською
    знижкою" (4.1.3): the right belongs to the buyer, so the sales platform names the buyer;
    a check by partner id alone is a staff query and says so.
    """
    with pytest.raises(InvalidArgument) as refused:
        require_buyer_for_purchase(sales_platform=True, buyer_login="")
    assert (refused.value.reason, refused.value.rule) == ("BUYER_REQUIRED", "R-ENT-01")
    require_buyer_for_purchase(sales_platform=True, buyer_login="olena")
    require_buyer_for_purchase(sales_platform=False, buyer_login="")
    by_partner = check_discount_entitlement(replace(OK, buyer_role=None), "SITE_MANAGEMENT", policy, staff_query=True)
    assert by_partner.staff_query is True
    assert check_discount_entitlement(OK, "SITE_MANAGEMENT", policy).staff_query is False
