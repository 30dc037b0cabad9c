"""Position in the public partner list (R-CARD-03): a weighted sum with the policy weights."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ppcore.policy import RankingPolicy, Tier


@dataclass(frozen=True)
class RankingFacts:
    """What R-CARD-03 ranks a partner by."""

    tier: Tier | None
    projects: int
    monitored_projects: int
    marketing_activity: int
    certified_employees: int
    active_points: Decimal


def ranking_score(facts: RankingFacts, weights: RankingPolicy) -> float:
    """R-CARD-03: projects, monitored projects, marketing activity, certified employees,
    status and active points, each times its policy weight. Negative figures (a reversal
    can leave a negative total) rank as zero, never below a partner with nothing."""
    status_weight = weights.status.get(facts.tier, 0.0) if facts.tier is not None else 0.0
    score = (
        weights.projects * max(facts.projects, 0)
        + weights.monitored_projects * max(facts.monitored_projects, 0)
        + weights.marketing_activity * max(facts.marketing_activity, 0)
        + weights.certified_employees * max(facts.certified_employees, 0)
        + status_weight
        + weights.active_points * float(max(facts.active_points, Decimal(0)))
    )
    # Rounded so that equal facts give equal scores whatever the float noise; ties order by partner id.
    return round(score, 6)


def directory_ranks(partners: Iterable[tuple[str, RankingFacts]], weights: RankingPolicy) -> dict[str, int]:
    """R-CARD-03: each partner's 1-based position in the list scored with ``weights``, in the
    listing's own order (score descending, then partner id)."""
    scored = sorted(((-ranking_score(facts, weights), pid) for pid, facts in partners))
    return {pid: rank for rank, (_, pid) in enumerate(scored, start=1)}
