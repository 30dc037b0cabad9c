"""Joint projects (R-PRJ-08): 5.4 says points for joint projects are split equally between the
partners, and accrue only when the "joint development" field is filled in by both. Points are
split equally, and only once both partners declared each other; a
one-sided declaration earns nothing for anyone until the other side declares. Disputes are
settled by staff (domain.disputes); a partner's own declaration never takes points from another.

A co-developer's declaration can arrive after the first side was approved (with nothing), so
the decision also says what share the counterpart should end with; the difference is added in
the ledger, never by editing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from points_service.domain.accruals import accrue
from points_service.domain.amounts import to_points
from points_service.domain.ledger import LedgerEntry, SourceType, reverse
from points_service.domain.sanctions import RefusePointsSanction
from ppcore.policy import ProgramPolicy

WHOLE = Decimal(1)
HALF = Decimal("0.5")
NOTHING = Decimal(0)


class JointSide(Protocol):
    """What the split needs to know about one side's project."""

    @property
    def partner_id(self) -> str: ...
    @property
    def joint_partner_id(self) -> str | None: ...
    @property
    def contract_holder_partner_id(self) -> str | None: ...


@dataclass(frozen=True)
class JointDecision:
    """This side's share of the project's points, and the share the counterpart should hold (None: no counterpart)."""

    share: Decimal
    counterpart_share: Decimal | None
    reason: str


@dataclass(frozen=True)
class DisputeStanding:
    """Where the dispute over a project's site stands: open (no points yet) or decided with this share."""

    dispute_id: str
    is_open: bool
    share: Decimal = NOTHING


def declared_each_other(this: JointSide, counterpart: JointSide | None) -> bool:
    return (
        counterpart is not None
        and this.joint_partner_id == counterpart.partner_id
        and counterpart.joint_partner_id == this.partner_id
    )


def decide_joint_share(
    this: JointSide, counterpart: JointSide | None, *, dispute: DisputeStanding | None = None
) -> JointDecision:
    """R-PRJ-08: this side's share: staff's decision when the site is disputed (nothing while it is open),
    half when both partners declared each other, nothing while only this side declared, else all."""
    if dispute is not None:
        if dispute.is_open:
            return JointDecision(
                NOTHING,
                None,
                f"site in dispute {dispute.dispute_id}: no points until staff decide who holds the client "
                "contract (R-PRJ-08)",
            )
        return JointDecision(
            dispute.share, None, f"dispute {dispute.dispute_id} decided by staff: share {dispute.share} (R-PRJ-08)"
        )
    if this.joint_partner_id is None:
        return JointDecision(WHOLE, None, "")
    if declared_each_other(this, counterpart):
        return JointDecision(HALF, HALF, "joint project declared by both partners: points split equally (R-PRJ-08)")
    return JointDecision(
        NOTHING,
        None,
        f"joint development declared by {this.partner_id} only: no points for anyone until "
        f"{this.joint_partner_id} declares it too (R-PRJ-08)",
    )


def share_corrections(
    entries: Sequence[LedgerEntry],
    *,
    partner_id: str,
    project_id: str,
    base_points: Decimal,
    awarded_share: Decimal,
    target_share: Decimal,
    new_id: Callable[[], str],
    at: datetime,
    decided_by: str,
    policy: ProgramPolicy,
    why: str,
    sanctions: Iterable[RefusePointsSanction] = (),
) -> list[LedgerEntry]:
    """The ledger entries that bring an approved project from ``awarded_share`` to ``target_share`` of
    ``base_points`` (R-PRJ-08, R-PTS-06): an accrual when it holds too little; reversals of what its
    entries still hold (oldest first) when it holds too much. ``entries``: the project's ledger entries."""
    delta = to_points(base_points * (target_share - awarded_share))
    reason = f"{why}: project share from {awarded_share} to {target_share} (R-PRJ-08)"
    if delta > 0:
        return [
            accrue(
                entry_id=new_id(),
                partner_id=partner_id,
                source_type=SourceType.PROJECT,
                source_id=project_id,
                points=delta,
                at=at,
                decided_by=decided_by,
                policy=policy,
                sanctions=sanctions,
                note=reason,
            )
        ]
    to_take = -delta
    taken_back: dict[str, Decimal] = {}
    for entry in entries:
        if entry.reverses_entry_id is not None:
            taken_back[entry.reverses_entry_id] = taken_back.get(entry.reverses_entry_id, NOTHING) - entry.amount
    corrections = []
    for entry in entries:
        if to_take <= 0:
            break
        if entry.is_reversal or entry.amount <= 0:
            continue
        held = entry.amount - taken_back.get(entry.entry_id, NOTHING)
        if held <= 0:
            continue  # reversed already, or a sanction withheld it: nothing to take back
        take = min(held, to_take)
        corrections.append(
            reverse(
                entry,
                entry_id=new_id(),
                at=at,
                decided_by=decided_by,
                reason=reason,
                policy_version=policy.version,
                fraction=take / entry.amount,
            )
        )
        to_take -= take
    return corrections
