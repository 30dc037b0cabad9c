"""Sanction effects on status-owned state (R-SAN-01/02/05/07/09 as enforced by status)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.card import CardContent
from status_service.domain.card_moderation import approve_card_change, card_eligibility, propose_card_change
from status_service.domain.competency_decisions import grant_competency
from status_service.domain.employees import Actor
from status_service.domain.entitlement import check_discount_entitlement, entitlement_snapshot
from status_service.domain.enums import CardItem, EntitlementReason, SanctionKind, StatusChangeReason
from status_service.domain.events import PartnerTerminated
from status_service.domain.partner import Partner
from status_service.domain.sanction_effects import apply_sanction, lift_sanction, prune_ended_sanctions
from status_service.domain.sanctions import ActiveSanction
from status_service.domain.status_engine import evaluate_status
from status_service.domain.status_rules import StatusFacts

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD_FACTS = StatusFacts(500, 3, 3, 1)


def test_downgrade_sanction_lowers_status_mid_year_and_caps_it_until_lifted(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-SAN-02, R-STS-05: only a sanction downgrades mid-year; upgrades wait until it ends."""
    partner = make_partner()
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    sanction = ActiveSanction("s1", SanctionKind.STATUS_DOWNGRADE, date(2026, 3, 2), date(2026, 9, 2))
    apply_sanction(partner, sanction, T0, policy)
    assert partner.status.tier is Tier.CERTIFIED
    assert partner.history[-1].reason is StatusChangeReason.SANCTION and partner.history[-1].sanction_id == "s1"
    assert evaluate_status(partner, GOLD_FACTS, T0, policy) == []
    lift_sanction(partner, "s1")
    evaluate_status(partner, GOLD_FACTS, T0, policy)
    assert partner.status.tier.rank == Tier.GOLD.rank


def test_competency_removal_sanction_revokes_and_blocks_regrant(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-SAN-02: removal of competencies."""
    partner = make_partner()
    grant_competency(partner, "PHP_HOSTING", T0, policy)
    sanction = ActiveSanction("s1", SanctionKind.COMPETENCY_REMOVAL, date(2026, 3, 2), date(2026, 6, 2))
    apply_sanction(partner, sanction, T0, policy)
    assert partner.competencies == {}
    with pytest.raises(FailedPrecondition, match="R-SAN-02"):
        grant_competency(partner, "PHP_HOSTING", T0, policy)


def test_discount_block_refuses_until_its_date_and_lifts_automatically(
    make_partner: MakePartner, policy: ProgramPolicy
) -> None:
    """R-SAN-07, R-SAN-01: DISCOUNT_BLOCKED with the date; it ends by itself."""
    partner = make_partner()
    sanction = ActiveSanction("s1", SanctionKind.DISCOUNT_BLOCK, date(2026, 3, 2), date(2026, 5, 1))
    apply_sanction(partner, sanction, T0, policy)
    decision = check_discount_entitlement(
        entitlement_snapshot(partner, "olena", date(2026, 4, 30)), "SOLUTIONS", policy
    )
    assert (decision.reason, decision.blocked_until_date) == (EntitlementReason.DISCOUNT_BLOCKED, date(2026, 5, 1))
    after = check_discount_entitlement(entitlement_snapshot(partner, "olena", date(2026, 5, 1)), "SOLUTIONS", policy)
    assert after.reason is not EntitlementReason.DISCOUNT_BLOCKED
    assert prune_ended_sanctions(partner, datetime(2026, 5, 1, 9, 0, tzinfo=UTC))[0].sanction_id == "s1"


def test_block_longer_than_twelve_months_is_invalid(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-SAN-07: up to 12 months (policy); longer is invalid input."""
    sanction = ActiveSanction("s1", SanctionKind.CABINET_BLOCK, date(2026, 3, 2), date(2027, 3, 3))
    with pytest.raises(InvalidArgument) as raised:
        apply_sanction(make_partner(), sanction, T0, policy)
    assert raised.value.reason == "BLOCK_TOO_LONG"


def test_public_list_exclusion_hides_a_complete_card(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-SAN-05, R-CARD-01: an excluded partner is hidden, with the reason."""
    partner = make_partner()
    content = CardContent("d", "logo", "+380 32 000 0000", "office", "https://a.example.ua", True)
    propose_card_change(partner, Actor("olena"), "r1", content, T0)
    approve_card_change(partner, "r1", T0)
    apply_sanction(
        partner,
        ActiveSanction("s1", SanctionKind.PUBLIC_LIST_EXCLUSION, date(2026, 3, 2), date(2026, 6, 2)),
        T0,
        policy,
    )
    assert card_eligibility(partner, date(2026, 3, 3)).missing == (CardItem.NOT_EXCLUDED_BY_SANCTION,)


def test_termination_sanction_terminates_by_program_decision(make_partner: MakePartner, policy: ProgramPolicy) -> None:
    """R-SAN-09, R-PRT-06: termination of the contract by the program."""
    partner = make_partner()
    apply_sanction(partner, ActiveSanction("s1", SanctionKind.CONTRACT_TERMINATION, date(2026, 3, 2)), T0, policy)
    assert partner.is_terminated(date(2026, 3, 2))
    assert isinstance(partner.events[-1], PartnerTerminated)
    assert not apply_sanction(
        partner, ActiveSanction("s1", SanctionKind.CONTRACT_TERMINATION, date(2026, 3, 2)), T0, policy
    )
