from datetime import datetime
from decimal import Decimal

from points_service.domain.accruals import OtherMainAccrual, accrue, other_main_points
from points_service.domain.ledger import PointKind, SourceType
from points_service.domain.sanctions import RefusePointsSanction, apply_refuse_points
from ppcore.clock import KYIV


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


SANCTION = RefusePointsSanction(
    sanction_id="s1", partner_id="p1", starts_at=kyiv(2025, 3, 1), ends_at=kyiv(2025, 6, 1), reason="dumping"
)


def test_other_main_accruals_take_their_amounts_from_policy(policy):
    """R-PTS-02: Marketplace module, Composite-site project and mobile app amounts are policy values."""
    main = policy.points.main
    assert other_main_points(OtherMainAccrual.MARKETPLACE_MODULE, policy) == main.marketplace_module_published
    assert other_main_points(OtherMainAccrual.COMPOSITE_SITE, policy) == main.composite_site_project
    assert other_main_points(OtherMainAccrual.MOBILE_APP, policy) == main.mobile_app_published
    assert OtherMainAccrual.MOBILE_APP.source_type is SourceType.MOBILE_APP


def test_accrual_records_policy_version_decider_and_kind(policy):
    """R-PTS-06/R-POL-01: every entry names its source, who decided and the policy version."""
    e = accrue(
        entry_id="e1",
        partner_id="p1",
        source_type=SourceType.MARKETPLACE_MODULE,
        source_id="module-7",
        points=15,
        at=kyiv(2025, 1, 5),
        decided_by="marketplace",
        policy=policy,
    )
    assert (e.kind, e.amount, e.policy_version, e.decided_by) == (
        PointKind.MAIN,
        Decimal("15.00"),
        policy.version,
        "marketplace",
    )
    assert e.expires_at == kyiv(2026, 1, 5)


def test_refuse_points_sanction_accrues_zero_with_the_reason(policy):
    """R-PTS-07: under a refuse-points sanction the decision accrues zero and says why."""
    e = accrue(
        entry_id="e1",
        partner_id="p1",
        source_type=SourceType.PROJECT,
        source_id="prj",
        points=10,
        at=kyiv(2025, 4, 1),
        decided_by="staff",
        policy=policy,
        sanctions=[SANCTION],
    )
    assert e.amount == Decimal("0.00")
    assert e.withheld_points == Decimal("10.00")
    assert "s1" in e.withheld_reason
    assert "R-PTS-07" in e.withheld_reason


def test_refuse_points_sanction_applies_only_while_in_force_and_to_its_partner():
    """R-PTS-07: before the start, after the end, after an early lift or for another partner, points accrue."""
    assert apply_refuse_points(10, "p1", kyiv(2025, 2, 28), [SANCTION]).points == Decimal("10.00")
    assert apply_refuse_points(10, "p1", kyiv(2025, 3, 1), [SANCTION]).withheld
    assert apply_refuse_points(10, "p1", kyiv(2025, 6, 1), [SANCTION]).points == Decimal("10.00")
    assert apply_refuse_points(10, "p2", kyiv(2025, 4, 1), [SANCTION]).points == Decimal("10.00")
    lifted = RefusePointsSanction(
        sanction_id="s2", partner_id="p1", starts_at=kyiv(2025, 3, 1), lifted_at=kyiv(2025, 3, 10)
    )
    assert apply_refuse_points(10, "p1", kyiv(2025, 3, 9), [lifted]).withheld
    assert not apply_refuse_points(10, "p1", kyiv(2025, 3, 10), [lifted]).withheld
    open_ended = RefusePointsSanction(sanction_id="s3", partner_id="p1", starts_at=kyiv(2025, 3, 1))
    assert apply_refuse_points(10, "p1", kyiv(2030, 1, 1), [open_ended]).withheld
