"""The "refuse points" sanction as points sees it (R-PTS-07, R-SAN-03).

Compliance owns sanctions; points keeps the refuse-points ones it was told about and
asks, at each decision, whether one is in force. Decisions still happen; they accrue
zero and say why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from points_service.domain.amounts import ZERO, to_points


@dataclass(frozen=True)
class RefusePointsSanction:
    """A refuse-points sanction, in force from ``starts_at`` until ``ends_at`` (None: open-ended)
    or an early lift."""

    sanction_id: str
    partner_id: str
    starts_at: datetime
    ends_at: datetime | None = None
    lifted_at: datetime | None = None
    reason: str = ""

    def in_force_at(self, instant: datetime) -> bool:
        if instant < self.starts_at:
            return False
        end = min((t for t in (self.ends_at, self.lifted_at) if t is not None), default=None)
        return end is None or instant < end


def sanction_in_force(
    sanctions: Iterable[RefusePointsSanction], partner_id: str, at: datetime
) -> RefusePointsSanction | None:
    """The earliest-started refuse-points sanction on ``partner_id`` in force at ``at``, if any."""
    in_force = [s for s in sanctions if s.partner_id == partner_id and s.in_force_at(at)]
    return min(in_force, key=lambda s: (s.starts_at, s.sanction_id), default=None)


@dataclass(frozen=True)
class AccrualAmount:
    """What a decision accrues: the points, or zero with the withheld points and why (R-PTS-07)."""

    points: Decimal
    withheld_points: Decimal = ZERO
    withheld_reason: str = ""
    sanction_id: str | None = None

    @property
    def withheld(self) -> bool:
        return self.sanction_id is not None


def apply_refuse_points(
    points: Decimal | int, partner_id: str, at: datetime, sanctions: Iterable[RefusePointsSanction]
) -> AccrualAmount:
    """R-PTS-07: while a refuse-points sanction is in force the accrual is zero, with the reason."""
    amount = to_points(points)
    sanction = sanction_in_force(sanctions, partner_id, at)
    if sanction is None or amount == 0:
        return AccrualAmount(points=amount)
    why = f"points refused by sanction {sanction.sanction_id} (R-PTS-07, R-SAN-03)"
    if sanction.reason:
        why = f"{why}: {sanction.reason}"
    return AccrualAmount(points=ZERO, withheld_points=amount, withheld_reason=why, sanction_id=sanction.sanction_id)
