"""Disputes over who built a client site (R-PRJ-05, R-PRJ-08).

5.4: in a dispute, priority in receiving the points goes to the partner that concluded the
contract with the client for the project. Two partners claiming one site is not settled first
come first served: when the claims disagree (each says the site is its own, or one names the
other as co-developer and the other does not agree) the claims go to staff, who decide on
evidence which partner holds the client contract. Only that decision moves points, and it
records the deciding staff member. A partner's own claim never takes points from another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from points_service.domain.joint import HALF, NOTHING, WHOLE, JointSide, declared_each_other
from ppcore.errors import FailedPrecondition, InvalidArgument

RULE = "R-PRJ-08"


class DisputeState(StrEnum):
    OPEN = "OPEN"
    DECIDED = "DECIDED"


class Claim(JointSide, Protocol):
    """One partner's project in a dispute."""

    @property
    def project_id(self) -> str: ...


@dataclass
class ProjectDispute:
    dispute_id: str
    site_key: str
    opened_at: datetime
    reason: str
    state: DisputeState = DisputeState.OPEN
    decided_at: datetime | None = None
    decided_by: str = ""
    contract_holder_partner_id: str | None = None
    evidence: str = ""
    policy_version: str = ""

    @property
    def is_open(self) -> bool:
        return self.state is DisputeState.OPEN

    def decide(
        self,
        claims: Sequence[Claim],
        *,
        contract_holder_partner_id: str,
        evidence: str,
        at: datetime,
        decided_by: str,
        policy_version: str,
    ) -> dict[str, Decimal]:
        """Staff's finding of the client contract holder, on evidence; returns each claim's share."""
        if not self.is_open:
            raise FailedPrecondition(
                reason="PROJECT_DISPUTE_DECIDED",
                message=f"dispute {self.dispute_id} was decided already by {self.decided_by} (R-PRJ-08)",
                rule=RULE,
            )
        if not evidence.strip():
            raise InvalidArgument.for_field(
                "evidence",
                "staff decide who holds the client contract on evidence: say what it is (R-PRJ-08)",
                reason="PROJECT_DISPUTE_EVIDENCE_MISSING",
                rule=RULE,
            )
        shares = decided_shares(claims, contract_holder_partner_id)
        self.state = DisputeState.DECIDED
        self.decided_at = at
        self.decided_by = decided_by
        self.contract_holder_partner_id = contract_holder_partner_id
        self.evidence = evidence.strip()
        self.policy_version = policy_version
        return shares


def decided_shares(claims: Sequence[Claim], holder: str) -> dict[str, Decimal]:
    """R-PRJ-08: the contract holder gets the points; if it and another claimant declared each other
    co-developers, the two split them equally; every other claim gets nothing."""
    holder_claims = [c for c in claims if c.partner_id == holder]
    if not holder_claims:
        raise InvalidArgument.for_field(
            "contract_holder_partner_id",
            f"{holder or '(empty)'} is not one of the partners in the dispute: "
            f"{', '.join(sorted({c.partner_id for c in claims}))} (R-PRJ-08)",
            reason="PROJECT_DISPUTE_HOLDER_NOT_A_CLAIMANT",
            rule=RULE,
        )
    winner = holder_claims[0]
    partner = next((c for c in claims if c is not winner and declared_each_other(winner, c)), None)
    shares = {c.project_id: NOTHING for c in claims}
    if partner is None:
        shares[winner.project_id] = WHOLE
    else:
        shares[winner.project_id] = HALF
        shares[partner.project_id] = HALF
    return shares


def claims_disagree(claimant: JointSide, others: Iterable[JointSide]) -> bool:
    """R-PRJ-05/08: whether a claim to a site that other partners' projects hold is a dispute. It is
    not when the only other claim is the co-developer's and the two named each other."""
    others = list(others)
    if not others:
        return False
    return not (len(others) == 1 and declared_each_other(claimant, others[0]))
