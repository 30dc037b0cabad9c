"""Competencies: which may be held, and which are active for the current status (R-CMP-01..04)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import CompetencyPolicy, ProgramPolicy, Tier

QUALITY_MONITORING = "QUALITY_MONITORING"


@dataclass(frozen=True)
class HeldCompetency:
    code: str
    granted_time: datetime
    automatic: bool = False


def competency_policy(code: str, policy: ProgramPolicy) -> CompetencyPolicy:
    """The policy entry of a competency of R-CMP-01; unknown codes are invalid input."""
    found = policy.competency(code)
    if found is None:
        known = ", ".join(c.code for c in policy.competencies)
        raise InvalidArgument.for_field(
            "competency_code",
            f"unknown competency {code!r}; known: {known} (R-CMP-01)",
            reason="UNKNOWN_COMPETENCY",
            rule="R-CMP-01",
        )
    return found


def _unmet_requirements(entry: CompetencyPolicy, held: frozenset[str], tier: Tier) -> list[str]:
    unmet: list[str] = []
    if entry.requires_status is not None and tier.rank < entry.requires_status.rank:
        unmet.append(f"status {entry.requires_status}")
    unmet.extend(f"competency {code}" for code in entry.requires_competencies if code not in held)
    return unmet


def check_grantable(code: str, held: frozenset[str], tier: Tier, policy: ProgramPolicy, *, automatic: bool) -> None:
    """Staff may grant any competency at any status except the gated ones (R-CMP-02/03)."""
    entry = competency_policy(code, policy)
    if entry.automatic and not automatic:
        raise FailedPrecondition(
            reason="COMPETENCY_AUTOMATIC",
            message=f"competency_code: {code} follows monitoring results automatically (R-CMP-03)",
            rule="R-CMP-03",
            metadata={"field": "competency_code"},
        )
    if code in held:
        raise FailedPrecondition(
            reason="COMPETENCY_ALREADY_HELD", message=f"competency_code: {code} is already held", rule="R-CMP-03"
        )
    unmet = _unmet_requirements(entry, held, tier)
    if unmet:
        raise FailedPrecondition(
            reason="COMPETENCY_REQUIREMENTS_NOT_MET",
            message=f"competency_code: {code} requires {', '.join(unmet)} (R-CMP-02)",
            rule="R-CMP-02",
            metadata={"field": "competency_code"},
        )


def active_competencies(held: Mapping[str, HeldCompetency], tier: Tier, policy: ProgramPolicy) -> frozenset[str]:
    """Held competencies whose gate is still met; losing Gold suspends the gated ones (R-CMP-02).

    These are the badges shown on the card and used to filter the public list (R-CMP-04).
    """
    codes = frozenset(held)
    active: set[str] = set()
    for code in codes:
        entry = policy.competency(code)
        # A competency dropped from the policy is kept on record but shown nowhere.
        if entry is not None and not _unmet_requirements(entry, codes, tier):
            active.add(code)
    return frozenset(active)
