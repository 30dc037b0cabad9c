"""Joint projects (R-PRJ-08): equal split only when both partners declared each other;
otherwise the project is disputed and the partner holding the client contract gets the points.

A co-developer's declaration can arrive after the first side was approved, so the
decision also says what share the counterpart should end with; the difference is
corrected in the ledger (an accrual or a partial reversal), never by editing.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def declared_each_other(this: JointSide, counterpart: JointSide | None) -> bool:
    return (
        counterpart is not None
        and this.joint_partner_id == counterpart.partner_id
        and counterpart.joint_partner_id == this.partner_id
    )


def decide_joint_share(
    this: JointSide, counterpart: JointSide | None, *, contract_holder_partner_id: str | None = None
) -> JointDecision:
    """R-PRJ-08: this side's share. ``contract_holder_partner_id`` is staff's finding in a dispute
    (defaults to what this side declared)."""
    if this.joint_partner_id is None:
        return JointDecision(WHOLE, None, "")
    if declared_each_other(this, counterpart):
        return JointDecision(HALF, HALF, "joint project declared by both partners: points split equally (R-PRJ-08)")
    holder = contract_holder_partner_id or this.contract_holder_partner_id
    why = (
        f"joint development declared by {this.partner_id} only: disputed, "
        f"the client contract holder {holder or '(none named)'} gets the points (R-PRJ-08)"
    )
    share = WHOLE if holder == this.partner_id else NOTHING
    counterpart_share = None
    if counterpart is not None:
        counterpart_share = WHOLE if holder == counterpart.partner_id else NOTHING
    return JointDecision(share, counterpart_share, why)


def rebalance_counterpart(
    counterpart_entry: LedgerEntry,
    *,
    base_points: Decimal,
    awarded_share: Decimal,
    target_share: Decimal,
    entry_id: str,
    at: datetime,
    decided_by: str,
    policy: ProgramPolicy,
    sanctions: Iterable[RefusePointsSanction] = (),
) -> LedgerEntry | None:
    """The ledger correction that brings an approved counterpart from ``awarded_share`` to ``target_share``
    of ``base_points`` (R-PRJ-08, R-PTS-06): a partial reversal when it holds too much, an accrual when too little."""
    delta = to_points(base_points * (target_share - awarded_share))
    reason = f"joint project share corrected from {awarded_share} to {target_share} (R-PRJ-08)"
    if delta == 0:
        return None
    if delta < 0:
        if counterpart_entry.amount <= 0:
            return None  # nothing was accrued (a sanction withheld it), so nothing to take back
        fraction = min(WHOLE, -delta / counterpart_entry.amount)
        return reverse(
            counterpart_entry,
            entry_id=entry_id,
            at=at,
            decided_by=decided_by,
            reason=reason,
            policy_version=policy.version,
            fraction=fraction,
        )
    return accrue(
        entry_id=entry_id,
        partner_id=counterpart_entry.partner_id,
        source_type=SourceType.PROJECT,
        source_id=counterpart_entry.source_id,
        points=delta,
        at=at,
        decided_by=decided_by,
        policy=policy,
        sanctions=sanctions,
        note=reason,
    )
