"""R-CARD-03: position in the public list from the policy weights."""

from dataclasses import replace
from decimal import Decimal

from gateway_service.domain.ranking import RankingFacts, directory_ranks, ranking_score
from ppcore.policy import RankingPolicy, Tier

WEIGHTS = RankingPolicy(
    projects=2.0,
    monitored_projects=5.0,
    marketing_activity=1.0,
    certified_employees=3.0,
    status={Tier.BUSINESS: 0.0, Tier.CERTIFIED: 50.0, Tier.GOLD: 100.0},
    active_points=0.5,
)
NOTHING = RankingFacts(
    tier=Tier.BUSINESS,
    projects=0,
    monitored_projects=0,
    marketing_activity=0,
    certified_employees=0,
    active_points=Decimal(0),
)


def test_score_is_the_weighted_sum_of_every_r_card_03_factor():
    """R-CARD-03: projects, monitored projects, marketing, certified employees, status, active points."""
    facts = RankingFacts(
        tier=Tier.CERTIFIED,
        projects=3,
        monitored_projects=1,
        marketing_activity=2,
        certified_employees=2,
        active_points=Decimal("120"),
    )
    assert ranking_score(facts, WEIGHTS) == 3 * 2.0 + 1 * 5.0 + 2 * 1.0 + 2 * 3.0 + 50.0 + 120 * 0.5


def test_each_factor_raises_the_score_by_its_weight():
    """R-CARD-03: every factor counts, each with its own policy weight."""
    base = ranking_score(NOTHING, WEIGHTS)
    assert ranking_score(replace(NOTHING, projects=1), WEIGHTS) - base == 2.0
    assert ranking_score(replace(NOTHING, monitored_projects=1), WEIGHTS) - base == 5.0
    assert ranking_score(replace(NOTHING, marketing_activity=1), WEIGHTS) - base == 1.0
    assert ranking_score(replace(NOTHING, certified_employees=1), WEIGHTS) - base == 3.0
    assert ranking_score(replace(NOTHING, active_points=Decimal(10)), WEIGHTS) - base == 5.0


def test_higher_status_ranks_higher_with_equal_facts():
    """R-CARD-03 with R-STS-01 order: Gold > Certified > Business."""
    scores = [
        ranking_score(replace(NOTHING, tier=tier), WEIGHTS) for tier in (Tier.BUSINESS, Tier.CERTIFIED, Tier.GOLD)
    ]
    assert scores == sorted(scores) and len(set(scores)) == 3


def test_weights_come_from_the_policy():
    """R-CARD-03: weights are policy; doubling the project weight doubles its part."""
    heavier = WEIGHTS.model_copy(update={"projects": 4.0})
    facts = replace(NOTHING, projects=5)
    assert ranking_score(facts, heavier) == 2 * ranking_score(facts, WEIGHTS)


def test_negative_points_rank_as_zero_and_no_status_adds_nothing():
    """A reversal may leave a negative total; it never ranks below a partner with nothing."""
    assert ranking_score(replace(NOTHING, active_points=Decimal("-40")), WEIGHTS) == 0.0
    assert ranking_score(replace(NOTHING, tier=None), WEIGHTS) == 0.0


def test_the_shipped_policy_has_every_ranking_weight(policy):
    """R-CARD-03 weights live in policy/program-policy.yaml."""
    facts = replace(NOTHING, tier=Tier.GOLD, projects=1)
    assert ranking_score(facts, policy.ranking) == policy.ranking.status[Tier.GOLD] + policy.ranking.projects


def test_directory_ranks_order_by_score_then_partner_id_as_the_listing_does():
    """R-CARD-03: rank 1 is the highest score; equal scores rank by partner id."""
    gold = replace(NOTHING, tier=Tier.GOLD)
    busy = replace(NOTHING, projects=10)  # 20
    partners = [("b-busy", busy), ("a-busy", busy), ("z-gold", gold), ("idle", NOTHING)]
    assert directory_ranks(partners, WEIGHTS) == {"z-gold": 1, "a-busy": 2, "b-busy": 3, "idle": 4}
    heavier_projects = WEIGHTS.model_copy(update={"projects": 20.0})
    assert directory_ranks(partners, heavier_projects)["z-gold"] == 3  # 200 for each busy partner
