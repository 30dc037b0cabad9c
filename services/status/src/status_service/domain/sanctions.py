"""Sanctions from compliance as they bear on status-owned state (R-SAN-01/02/04/05/07/09).

A sanction is in force on Kyiv days ``start_date <= day < end_date``; no end date means
until staff lift it. Overlapping sanctions of one kind are kept apart, so lifting one
never lifts another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ppcore.clock import add_months
from ppcore.errors import InvalidArgument
from ppcore.policy import Tier
from status_service.domain.enums import SanctionKind

_BLOCK_KINDS = frozenset({SanctionKind.DISCOUNT_BLOCK, SanctionKind.CABINET_BLOCK})


@dataclass(frozen=True)
class ActiveSanction:
    sanction_id: str
    kind: SanctionKind
    start_date: date
    end_date: date | None = None
    # STATUS_DOWNGRADE: the tier to fall to (None: one step down); also the cap while in force.
    target_tier: Tier | None = None
    # COMPETENCY_REMOVAL: the competencies removed (empty: all).
    competency_codes: frozenset[str] = frozenset()

    def in_force(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or on < self.end_date)

    def covers_competency(self, code: str) -> bool:
        return not self.competency_codes or code in self.competency_codes


def validate_sanction(sanction: ActiveSanction, max_block_months: int) -> None:
    """Blocks are temporary, at most ``max_block_months`` (*policy*, R-SAN-07)."""
    if sanction.end_date is not None and sanction.end_date <= sanction.start_date:
        raise InvalidArgument.for_field(
            "sanction.end_date", "must be after the start date (R-SAN-01)", reason="INVALID_PERIOD", rule="R-SAN-01"
        )
    if sanction.kind in _BLOCK_KINDS and (
        sanction.end_date is None or sanction.end_date > add_months(sanction.start_date, max_block_months)
    ):
        raise InvalidArgument.for_field(
            "sanction.end_date",
            f"a cabinet or discount block lasts at most {max_block_months} months (R-SAN-07)",
            reason="BLOCK_TOO_LONG",
            rule="R-SAN-07",
        )


def _in_force(sanctions: Iterable[ActiveSanction], kinds: frozenset[SanctionKind], on: date) -> list[ActiveSanction]:
    return [s for s in sanctions if s.kind in kinds and s.in_force(on)]


@dataclass(frozen=True)
class Restrictions:
    """What the sanctions in force on one day forbid."""

    discount_blocked: bool = False
    # The day purchases at the discount are possible again; None while blocked means "until lifted".
    discount_blocked_until: date | None = None
    cabinet_blocked: bool = False
    leads_disconnected: bool = False
    excluded_from_public_list: bool = False
    contract_suspended: bool = False
    tier_cap: Tier | None = None

    @classmethod
    def of(cls, sanctions: Mapping[str, ActiveSanction], on: date) -> Restrictions:
        if not sanctions:
            return _UNRESTRICTED  # most partners: the daily review and the simulation ask for each of them
        active = list(sanctions.values())
        # R-SAN-07: both a cabinet block and a discount block stop discounted purchases.
        blocks = _in_force(active, _BLOCK_KINDS, on)
        block_ends = [s.end_date for s in blocks]
        caps = [s.target_tier for s in _in_force(active, frozenset({SanctionKind.STATUS_DOWNGRADE}), on)]
        return cls(
            discount_blocked=bool(blocks),
            discount_blocked_until=None if not blocks or None in block_ends else max(d for d in block_ends if d),
            cabinet_blocked=bool(_in_force(active, frozenset({SanctionKind.CABINET_BLOCK}), on)),
            leads_disconnected=bool(_in_force(active, frozenset({SanctionKind.LEADS_DISCONNECTION}), on)),  # R-SAN-04
            excluded_from_public_list=bool(
                _in_force(active, frozenset({SanctionKind.PUBLIC_LIST_EXCLUSION}), on)  # R-SAN-05
            ),
            contract_suspended=bool(_in_force(active, frozenset({SanctionKind.CONTRACT_SUSPENSION}), on)),  # R-SAN-09
            tier_cap=min((c for c in caps if c is not None), key=lambda t: t.rank, default=None),
        )


_UNRESTRICTED = Restrictions()


def one_step_down(tier: Tier) -> Tier:
    return {Tier.GOLD: Tier.CERTIFIED, Tier.CERTIFIED: Tier.BUSINESS, Tier.BUSINESS: Tier.BUSINESS}[tier]
