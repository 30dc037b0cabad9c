"""What if the rules change? A candidate policy evaluated over every partner (R-POL-01).

The simulation runs the daily review's own decision (``review_partner``) on a copy of each
partner, once under the policy in force and once under the candidate, and compares the
outcomes. Nothing here writes or publishes: the copies and their events are discarded.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.enums import LeadDelivery
from status_service.domain.leads import lead_reach
from status_service.domain.partner import Partner
from status_service.domain.review import review_copy, review_partner
from status_service.domain.status_engine import partner_status_facts
from status_service.domain.status_rules import ChecklistItem, tier_conditions


@dataclass(frozen=True)
class Outcome:
    """A partner's standing after the review of the simulated day under one policy."""

    tier: Tier
    discount_percent: int
    status_nfr_keys: int
    lead_reach: LeadDelivery


@dataclass(frozen=True)
class SimulatedPartner:
    """One partner whose outcome differs between the policy in force and the candidate."""

    partner_id: str
    company_name: str
    tier_now: Tier
    current: Outcome
    candidate: Outcome
    # The conditions that decide the difference, as the candidate sees them (have / need).
    deciding: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class DiscountChange:
    """Partners at ``tier`` (under the candidate) whose discount moves from one percent to another."""

    tier: Tier
    from_percent: int
    to_percent: int
    partners: int


@dataclass(frozen=True)
class SimulationReport:
    on: date
    current_version: str
    candidate_version: str
    evaluated_partners: int
    partners: tuple[SimulatedPartner, ...]
    # Partners per status after the simulated day's review under each policy (terminated ones left out).
    before: Mapping[Tier, int]
    after: Mapping[Tier, int]
    keys_to_issue: int
    keys_to_revoke: int
    discount_changes: tuple[DiscountChange, ...]


def _outcome(partner: Partner, policy: ProgramPolicy) -> Outcome:
    tier = partner.status.tier
    return Outcome(tier, policy.discount_percent(tier), policy.status_nfr_keys(tier), lead_reach(tier))


def _deciding(
    partner: Partner,
    tier_now: Tier,
    current: Outcome,
    candidate: Outcome,
    courses: Mapping[str, frozenset[str]],
    today: date,
    policies: tuple[ProgramPolicy, ProgramPolicy],
) -> tuple[ChecklistItem, ...]:
    """The conditions of the higher of the two outcomes whose verdict the candidate changes."""
    if current.tier is candidate.tier:
        return ()
    higher = current.tier if current.tier.rank > candidate.tier.rank else candidate.tier
    keeping = higher is tier_now  # held now: the anniversary's conditions decide (R-STS-05)
    in_force, proposed = (
        tier_conditions(higher, partner_status_facts(partner, courses, today, p), p, for_keeping=keeping)
        for p in policies
    )
    changed = tuple(new for old, new in zip(in_force, proposed, strict=True) if old.met != new.met)
    return changed or tuple(item for item in proposed if not item.met)


def simulate_policy(
    partners: Iterable[Partner],
    courses: Mapping[str, frozenset[str]],
    now: datetime,
    current: ProgramPolicy,
    candidate: ProgramPolicy,
) -> SimulationReport:
    """Review every partner as the daily review of ``now``'s day would, under both policies (R-POL-01)."""
    today = kyiv_date(now)
    rows: list[SimulatedPartner] = []
    before: Counter[Tier] = Counter()
    after: Counter[Tier] = Counter()
    discounts: Counter[tuple[Tier, int, int]] = Counter()
    to_issue = to_revoke = evaluated = 0
    for partner in partners:
        evaluated += 1
        tier_now = partner.status.tier
        in_force, proposed = review_copy(partner), review_copy(partner)
        review_partner(in_force, courses, now, current)
        review_partner(proposed, courses, now, candidate)
        if in_force.is_terminated(today):
            continue
        was, will = _outcome(in_force, current), _outcome(proposed, candidate)
        before[was.tier] += 1
        after[will.tier] += 1
        if was == will:
            continue
        to_issue += max(0, will.status_nfr_keys - was.status_nfr_keys)
        to_revoke += max(0, was.status_nfr_keys - will.status_nfr_keys)
        if was.discount_percent != will.discount_percent:
            discounts[(will.tier, was.discount_percent, will.discount_percent)] += 1
        deciding = _deciding(proposed, tier_now, was, will, courses, today, (current, candidate))
        rows.append(SimulatedPartner(partner.partner_id, partner.company_name, tier_now, was, will, deciding))
    return SimulationReport(
        on=today,
        current_version=current.version,
        candidate_version=candidate.version,
        evaluated_partners=evaluated,
        partners=tuple(rows),
        before={t: before[t] for t in Tier},
        after={t: after[t] for t in Tier},
        keys_to_issue=to_issue,
        keys_to_revoke=to_revoke,
        discount_changes=tuple(
            DiscountChange(tier, old, new, n) for (tier, old, new), n in sorted(discounts.items(), key=lambda kv: kv[0])
        ),
    )


CSV_COLUMNS = (
    "partner_id",
    "company_name",
    "tier_now",
    "tier_in_force",
    "tier_candidate",
    "discount_in_force",
    "discount_candidate",
    "nfr_keys_in_force",
    "nfr_keys_candidate",
    "lead_reach_in_force",
    "lead_reach_candidate",
    "deciding",
)


def simulation_csv(report: SimulationReport) -> str:
    """The per-partner rows as CSV (RFC 4180, header first), for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.partners:
        writer.writerow(
            (
                row.partner_id,
                row.company_name,
                row.tier_now.value,
                row.current.tier.value,
                row.candidate.tier.value,
                row.current.discount_percent,
                row.candidate.discount_percent,
                row.current.status_nfr_keys,
                row.candidate.status_nfr_keys,
                row.current.lead_reach.value,
                row.candidate.lead_reach.value,
                "; ".join(
                    f"{i.tier.value} {i.condition.value}: have {i.actual}, need {i.required}" for i in row.deciding
                ),
            )
        )
    return out.getvalue()
