from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from points_service.domain.disputes import ProjectDispute, claims_disagree, decided_shares
from points_service.domain.joint import DisputeStanding, share_corrections
from points_service.domain.keys import KeyFacts
from points_service.domain.ledger import active_total
from points_service.domain.projects import ProjectDraft, find_counterpart, submit_project
from points_service.domain.sites import SiteAliases
from ppcore.clock import KYIV
from ppcore.errors import FailedPrecondition, InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


NOW = kyiv(2025, 9, 1)
KEY = KeyFacts("KEY-1", found=True, is_activated=True, registered_to_client=True, edition_code="SM_STANDARD")
FULL = Decimal("10.00")  # SM_STANDARD's points value (R-PRJ-04)


def submission(policy, partner, joint=None, holder=None, *, project_id, existing=()):
    d = ProjectDraft(
        partner_id=partner,
        site_url="https://joint.com",
        license_key="KEY-1",
        joint_partner_id=joint,
        contract_holder_partner_id=holder,
    )
    return submit_project(
        d, project_id=project_id, key_facts=KEY, existing=existing, aliases=SiteAliases(), policy=policy, now=NOW
    )


def submit(policy, partner, joint=None, holder=None, *, project_id, existing=()):
    return submission(policy, partner, joint, holder, project_id=project_id, existing=existing).project


def test_joint_project_declared_by_both_splits_points_equally(policy):
    """R-PRJ-08: "Бали за спільно виконані проекти діляться між Партнерами порівну" -- both partners
    declared each other, so each side earns half."""
    a = submit(policy, "A", joint="B", holder="A", project_id="pa")
    b_sub = submission(policy, "B", joint="A", holder="A", project_id="pb", existing=[a])
    assert b_sub.rivals == []  # the co-developer's side is no dispute
    b = b_sub.project
    assert find_counterpart(a, [a, b]) is b
    assert a.approve(entry_id="ea", at=NOW, decided_by="s", policy=policy, counterpart=b).entry.amount == FULL / 2
    assert b.approve(entry_id="eb", at=NOW, decided_by="s", policy=policy, counterpart=a).entry.amount == FULL / 2


def test_a_one_sided_joint_declaration_earns_nothing_for_anyone(policy):
    """R-PRJ-08: "Бали нараховуються тільки при умові, що поле «Спільна розробка» заповнене у обох
    партнерів" -- one side declared, so nobody earns, whoever it named as contract holder."""  # noqa: RUF002
    for holder in ("A", "B"):
        one_sided = submit(policy, "A", joint="B", holder=holder, project_id=f"p-{holder}")
        approval = one_sided.approve(entry_id="e1", at=NOW, decided_by="s", policy=policy)
        assert approval.entry.amount == Decimal("0.00")
        assert "until B declares it too" in approval.entry.note and "R-PRJ-08" in approval.entry.note


def test_when_the_other_side_declares_too_the_first_side_gets_its_half_and_loses_nothing(policy):
    """R-PRJ-08/R-PTS-06: A declared B and was approved with nothing; B then declares A: B earns half and
    A is topped up to half in the ledger (an accrual, never a reversal of anyone's points)."""
    a = submit(policy, "A", joint="B", holder="A", project_id="pa")
    a_entry = a.approve(entry_id="ea", at=NOW, decided_by="s", policy=policy).entry
    assert a_entry.amount == Decimal("0.00") and a.awarded_share == Decimal(0)
    b = submit(policy, "B", joint="A", holder="A", project_id="pb", existing=[a])
    approval = b.approve(entry_id="eb", at=kyiv(2025, 10, 1), decided_by="s", policy=policy, counterpart=a)
    assert approval.entry.amount == FULL / 2 and approval.joint.counterpart_share == Decimal("0.5")
    ids = iter(["fix"])
    top_up = share_corrections(
        [a_entry],
        partner_id="A",
        project_id="pa",
        base_points=FULL,
        awarded_share=Decimal(0),
        target_share=Decimal("0.5"),
        new_id=lambda: next(ids),
        at=kyiv(2025, 10, 1),
        decided_by="s",
        policy=policy,
        why="the co-developer declared too",
    )
    assert [(e.partner_id, e.amount, e.is_reversal) for e in top_up] == [("A", FULL / 2, False)]


def test_a_solo_claim_to_a_claimed_site_is_a_dispute_not_a_refusal(policy):
    """R-PRJ-05/R-PRJ-08: "У разі виникнення суперечок, пріоритет в отриманні балів отримує Партнер, який
    уклав договір з Клієнтом" -- two partners each submitting the same client site as their own is not
    first come first served: the second claim is accepted and both go to a dispute."""  # noqa: RUF002
    a = submit(policy, "A", project_id="pa")
    c = submission(policy, "C", project_id="pc", existing=[a])
    assert c.rivals == [a]
    # A joint declaration the other side does not share is a disagreement too.
    assert submission(policy, "D", joint="A", holder="D", project_id="pd", existing=[a]).rivals == [a]
    # The same partner adding its own site again is still a duplicate (R-PRJ-05).
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, "A", project_id="pa2", existing=[a])
    assert exc.value.reason == "PROJECT_DUPLICATE_SITE"


def test_a_disputed_project_earns_nothing_until_staff_decide_and_then_the_holder_gets_the_points(policy):
    """R-PRJ-08: while the dispute is open the claims earn nothing; staff's decision of who holds the
    client contract gives that partner the points and the other nothing."""
    a = submit(policy, "A", project_id="pa")
    c = submit(policy, "C", project_id="pc", existing=[a])
    open_approval = c.approve(
        entry_id="e1", at=NOW, decided_by="s", policy=policy, dispute=DisputeStanding("d1", is_open=True)
    )
    assert open_approval.entry.amount == Decimal("0.00") and "dispute d1" in open_approval.entry.note
    dispute = ProjectDispute(dispute_id="d1", site_key="joint.com", opened_at=NOW, reason="solo claims")
    shares = dispute.decide(
        [a, c],
        contract_holder_partner_id="C",
        evidence="contract #12",
        at=NOW,
        decided_by="staff:olga",
        policy_version=policy.version,
    )
    assert shares == {"pa": Decimal(0), "pc": Decimal(1)}
    assert (dispute.decided_by, dispute.contract_holder_partner_id) == ("staff:olga", "C")
    with pytest.raises(FailedPrecondition):
        dispute.decide([a, c], contract_holder_partner_id="A", evidence="x", at=NOW, decided_by="s", policy_version="")


def test_staff_decision_needs_evidence_and_a_claimant_as_holder(policy):
    """R-PRJ-08: staff decide on evidence, among the partners that claim the site."""
    a = submit(policy, "A", project_id="pa")
    c = submit(policy, "C", project_id="pc", existing=[a])
    dispute = ProjectDispute(dispute_id="d1", site_key="joint.com", opened_at=NOW, reason="")
    with pytest.raises(InvalidArgument) as exc:
        dispute.decide([a, c], contract_holder_partner_id="C", evidence=" ", at=NOW, decided_by="s", policy_version="")
    assert exc.value.reason == "PROJECT_DISPUTE_EVIDENCE_MISSING"
    with pytest.raises(InvalidArgument) as exc:
        decided_shares([a, c], "Z")
    assert exc.value.reason == "PROJECT_DISPUTE_HOLDER_NOT_A_CLAIMANT"


def test_a_decided_dispute_takes_back_what_the_losing_side_held(policy):
    """R-PRJ-08/R-PTS-06: only the staff decision moves points: A, approved first with all of them,
    loses the dispute and its points are reversed from the decision on; history before stays."""
    a = submit(policy, "A", project_id="pa")
    a_entry = a.approve(entry_id="ea", at=NOW, decided_by="s", policy=policy).entry
    ids = iter(["r1", "r2"])
    corrections = share_corrections(
        [a_entry],
        partner_id="A",
        project_id="pa",
        base_points=FULL,
        awarded_share=Decimal(1),
        target_share=Decimal(0),
        new_id=lambda: next(ids),
        at=kyiv(2025, 10, 1),
        decided_by="staff:olga",
        policy=policy,
        why="dispute decided",
    )
    assert [(e.reverses_entry_id, e.amount, e.decided_by) for e in corrections] == [("ea", -FULL, "staff:olga")]
    assert active_total([a_entry, *corrections], kyiv(2025, 10, 2)) == Decimal(0)
    assert active_total([a_entry, *corrections], kyiv(2025, 9, 2)) == FULL


def test_the_holder_and_its_declared_co_developer_split_a_decided_dispute(policy):
    """R-PRJ-08: A and B declared each other, C claims the site alone; staff find A holds the contract,
    so A and B split the points equally and C gets none."""
    a = submit(policy, "A", joint="B", holder="A", project_id="pa")
    b = submit(policy, "B", joint="A", holder="A", project_id="pb", existing=[a])
    c = submit(policy, "C", project_id="pc", existing=[a, b])
    assert claims_disagree(c, [a, b])
    assert decided_shares([a, b, c], "A") == {"pa": Decimal("0.5"), "pb": Decimal("0.5"), "pc": Decimal(0)}


def test_joint_declaration_must_name_another_partner_and_a_contract_holder_of_the_two(policy):
    """R-PRJ-08: the co-developer is another partner; the contract holder is one of the two."""
    with pytest.raises(InvalidArgument):
        submit(policy, "A", joint="A", holder="A", project_id="x")
    with pytest.raises(InvalidArgument):
        submit(policy, "A", joint="B", holder="Z", project_id="x")
    with pytest.raises(InvalidArgument):
        submit(policy, "A", joint=None, holder="B", project_id="x")


def test_joint_sides_share_one_site_slot_on_the_key(policy):
    """R-PRJ-06: the co-developer's side of the same site does not use another site of the key."""
    start_key = replace(KEY, edition_code="SM_START")  # 1 site allowed
    d = ProjectDraft(
        partner_id="A", site_url="joint.com", license_key="KEY-1", joint_partner_id="B", contract_holder_partner_id="A"
    )
    a = submit_project(
        d, project_id="pa", key_facts=start_key, existing=[], aliases=SiteAliases(), policy=policy, now=NOW
    ).project
    d_b = replace(d, partner_id="B", joint_partner_id="A")
    b = submit_project(
        d_b, project_id="pb", key_facts=start_key, existing=[a], aliases=SiteAliases(), policy=policy, now=NOW
    ).project
    assert b.site_key == a.site_key


def test_a_corrected_resubmission_that_claims_another_partners_site_goes_to_a_dispute(policy):
    """R-PRJ-05/R-PRJ-08: a rejected project resubmitted at a site another partner holds is not refused
    first come first served either: the resubmission returns the rival claim for a dispute."""
    a = submit(policy, "A", project_id="pa")
    c = ProjectDraft(partner_id="C", site_url="https://elsewhere.com", license_key="KEY-1")
    mine = submit_project(
        c, project_id="pc", key_facts=KEY, existing=[], aliases=SiteAliases(), policy=policy, now=NOW
    ).project
    mine.reject(at=NOW, decided_by="s", note="wrong address")
    rivals = mine.resubmit(
        replace(c, site_url="https://www.joint.com"),
        key_facts=KEY,
        existing=[a],
        aliases=SiteAliases(),
        policy=policy,
        now=kyiv(2025, 9, 3),
    )
    assert rivals == [a] and mine.dispute_id is None
