"""Who appears in the public partner list and with which facts (R-CARD-01/03, R-SAN-05/06)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

# Card items whose state the gateway tracks itself from events (sanctions, termination), so
# a card published while a sanction held does not stay hidden after the sanction ends.
DYNAMIC_CARD_ITEMS = frozenset({"NOT_EXCLUDED_BY_SANCTION", "ACTIVE_PARTNERSHIP"})

# R-CARD-03 "marketing activity": additional-point requests of this category that were granted.
MARKETING_CATEGORY = "MARKETING_ACTIVITY"


class RankingItemKind(StrEnum):
    """Things counted once each for the ranking (R-CARD-03)."""

    PROJECT = "PROJECT"
    MONITORED_PROJECT = "MONITORED_PROJECT"
    MARKETING_ACTIVITY = "MARKETING_ACTIVITY"


class ListingSanction(StrEnum):
    """Sanction kinds the gateway enforces or shows (R-SAN-05/06) and the cabinet block (R-SAN-07)."""

    PUBLIC_LIST_EXCLUSION = "PUBLIC_LIST_EXCLUSION"
    VIOLATORS_LIST = "VIOLATORS_LIST"
    CABINET_BLOCK = "CABINET_BLOCK"


def card_complete(eligible: bool, missing_items: Iterable[str]) -> bool:
    """R-CARD-01 as far as the card goes: the status service's verdict, minus the items the
    gateway decides itself (an exclusion sanction, R-SAN-05; termination)."""
    missing = frozenset(missing_items)
    if eligible:
        return True
    return bool(missing) and missing <= DYNAMIC_CARD_ITEMS


@dataclass(frozen=True)
class SanctionPeriod:
    start_date: date
    end_date: date | None  # exclusive; None when it has no end
    lifted: bool = False


def in_force(sanction: SanctionPeriod, today: date) -> bool:
    """A sanction holds from its start date until (excluding) its end date unless lifted."""
    if sanction.lifted or today < sanction.start_date:
        return False
    return sanction.end_date is None or today < sanction.end_date


def counts_as_marketing(category: str, granted_points: str) -> bool:
    """R-CARD-03: a granted marketing-activity request counts once, whatever the points."""
    return category == MARKETING_CATEGORY and parse_points(granted_points) > 0


def parse_points(text: str) -> Decimal:
    """Decimal point figures as the points service writes them; empty or garbage is zero."""
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        return Decimal(0)
    return value if value.is_finite() else Decimal(0)


def certified_employee_count(
    attached_logins: Iterable[str], courses_by_login: Mapping[str, frozenset[str]], required: frozenset[str]
) -> int:
    """Attached logins holding every required course (R-EMP-06: detached logins never count)."""
    count = 0
    for login in set(attached_logins):
        held = courses_by_login.get(login, frozenset())
        if held and required <= held:
            count += 1
    return count


@dataclass(frozen=True)
class ListedPartner:
    """One line of the public list as the read model holds it."""

    partner_id: str
    company_name: str
    city: str
    tier: str | None
    competency_codes: tuple[str, ...]
    description: str
    logo_ref: str
    phone: str
    office_address: str
    website_url: str
    score: float
    projects: int
    monitored_projects: int
    marketing_activity: int
    certified_employees: int
    active_points: Decimal
    listed_as_violator: bool


TIER_ORDER = ("BUSINESS", "CERTIFIED", "GOLD")


def tiers_at_least(tier: str) -> tuple[str, ...]:
    """The statuses at or above ``tier`` (R-STS-01 order)."""
    return TIER_ORDER[TIER_ORDER.index(tier) :]


def shown_competencies(codes: Iterable[str], tier: str | None, required_tier: Mapping[str, str]) -> tuple[str, ...]:
    """R-CMP-02/04: a competency gated by a status (Large corporate implementations: Gold) is
    suspended, so neither shown nor filterable, while the partner is below that status."""
    rank = TIER_ORDER.index(tier) if tier in TIER_ORDER else -1
    return tuple(code for code in codes if code not in required_tier or rank >= TIER_ORDER.index(required_tier[code]))
