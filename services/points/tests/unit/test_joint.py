from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from points_service.domain.joint import rebalance_counterpart
from points_service.domain.keys import KeyFacts
from points_service.domain.ledger import active_total
from points_service.domain.projects import ProjectDraft, find_counterpart, submit_project
from points_service.domain.sites import SiteAliases
from ppcore.clock import KYIV
from ppcore.errors import InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


NOW = kyiv(2025, 9, 1)
KEY = KeyFacts("KEY-1", found=True, is_activated=True, registered_to_client=True, edition_code="SM_STANDARD")


def submit(policy, partner, joint=None, holder=None, *, project_id, existing=()):
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


def test_joint_project_declared_by_both_splits_points_equally(policy):
    """R-PRJ-08: both partners declared each other, so each side earns half."""
    a = submit(policy, "A", joint="B", holder="A", project_id="pa")
    b = submit(policy, "B", joint="A", holder="A", project_id="pb", existing=[a])
    assert find_counterpart(a, [a, b]) is b
    half = Decimal(policy.points.main.project_published) / 2
    assert a.approve(entry_id="ea", at=NOW, decided_by="s", policy=policy, counterpart=b).entry.amount == half
    assert b.approve(entry_id="eb", at=NOW, decided_by="s", policy=policy, counterpart=a).entry.amount == half


def test_joint_project_declared_by_one_side_is_a_dispute_won_by_the_contract_holder(policy):
    """R-PRJ-08: only one side declared joint development: the client contract holder gets the points."""
    full = Decimal(policy.points.main.project_published)
    holder_side = submit(policy, "A", joint="B", holder="A", project_id="pa")
    assert holder_side.approve(entry_id="e1", at=NOW, decided_by="s", policy=policy).entry.amount == full
    other_side = submit(policy, "C", joint="D", holder="D", project_id="pc")
    approval = other_side.approve(entry_id="e2", at=NOW, decided_by="s", policy=policy)
    assert approval.entry.amount == Decimal("0.00")
    assert "R-PRJ-08" in approval.entry.note


def test_staff_finding_on_the_contract_holder_decides_a_dispute(policy):
    """R-PRJ-08: in a dispute staff may name the contract holder at approval."""
    project = submit(policy, "A", joint="B", holder="A", project_id="pa")
    approval = project.approve(entry_id="e1", at=NOW, decided_by="s", policy=policy, contract_holder_partner_id="B")
    assert approval.entry.amount == Decimal("0.00")


def test_late_declaration_by_the_co_developer_rebalances_the_first_side_to_half(policy):
    """R-PRJ-08/R-PTS-06: A got all as contract holder; B then declares A, so B gets half and A gives half back."""
    full = Decimal(policy.points.main.project_published)
    a = submit(policy, "A", joint="B", holder="A", project_id="pa")
    a_entry = a.approve(entry_id="ea", at=NOW, decided_by="s", policy=policy).entry
    assert a_entry.amount == full
    b = submit(policy, "B", joint="A", holder="A", project_id="pb", existing=[a])
    approval = b.approve(entry_id="eb", at=kyiv(2025, 10, 1), decided_by="s", policy=policy, counterpart=a)
    assert approval.entry.amount == full / 2
    assert approval.joint.counterpart_share == Decimal("0.5")
    assert a.base_points is not None
    assert a.awarded_share is not None
    correction = rebalance_counterpart(
        a_entry,
        base_points=a.base_points,
        awarded_share=a.awarded_share,
        target_share=approval.joint.counterpart_share,
        entry_id="fix",
        at=kyiv(2025, 10, 1),
        decided_by="s",
        policy=policy,
    )
    assert correction is not None
    assert correction.reverses_entry_id == "ea"
    assert active_total([a_entry, correction], kyiv(2025, 10, 2)) == full / 2
    assert active_total([a_entry, correction], kyiv(2025, 9, 2)) == full


def test_counterpart_that_lost_a_dispute_is_topped_up_to_half_when_both_declare(policy):
    """R-PRJ-08: A named B as contract holder and got nothing; once B declares A too, A is brought to half."""
    a = submit(policy, "A", joint="B", holder="B", project_id="pa")
    a_entry = a.approve(entry_id="ea", at=NOW, decided_by="s", policy=policy).entry
    assert a_entry.amount == Decimal("0.00")
    assert a.base_points is not None
    assert a.awarded_share is not None
    top_up = rebalance_counterpart(
        a_entry,
        base_points=a.base_points,
        awarded_share=a.awarded_share,
        target_share=Decimal("0.5"),
        entry_id="fix",
        at=NOW,
        decided_by="s",
        policy=policy,
    )
    assert top_up is not None
    assert top_up.amount == a.base_points / 2
    assert top_up.partner_id == "A"


def test_only_the_declared_co_developer_may_add_the_same_site(policy):
    """R-PRJ-05/R-PRJ-08: a third partner adding the joint site is a duplicate."""
    a = submit(policy, "A", joint="B", holder="A", project_id="pa")
    with pytest.raises(InvalidArgument):
        submit(policy, "C", project_id="pc", existing=[a])


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
    )
    d_b = replace(d, partner_id="B", joint_partner_id="A")
    b = submit_project(
        d_b, project_id="pb", key_facts=start_key, existing=[a], aliases=SiteAliases(), policy=policy, now=NOW
    )
    assert b.site_key == a.site_key
