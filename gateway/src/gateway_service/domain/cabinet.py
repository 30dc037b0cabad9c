"""The partner cabinet composed from the backends' answers (R-CARD-04).

A backend that is down, refuses or misses the deadline leaves its section unavailable:
the cabinet is then partial and names the missing sections; it is never an error. Only
the status service, which owns partners, can say the partner does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from ppcore.errors import not_found

T = TypeVar("T")

NOT_FOUND = "NOT_FOUND"
NOT_ANSWERED = "DEADLINE_EXCEEDED"


class Section(StrEnum):
    """Sections in display order, each answered by one backend."""

    STATUS = "STATUS"  # status: GetPartnerStatus
    CARD = "CARD"  # status: GetPartnerCard
    POINTS = "POINTS"  # points: GetActiveTotal, GetExpiringPoints
    NFR = "NFR"  # licensing: ListPartnerKeys, GetCloudNfr
    SANCTIONS = "SANCTIONS"  # compliance: ListActiveSanctions


# Sections whose NOT_FOUND means "no such partner" (the status service owns partners).
_PARTNER_AUTHORITY = (Section.STATUS, Section.CARD)


@dataclass(frozen=True)
class SectionOutcome(Generic[T]):
    """A backend's answer, or why there is none (the gRPC status name)."""

    value: T | None = None
    problem: str = ""

    @property
    def available(self) -> bool:
        return not self.problem

    @classmethod
    def answered(cls, value: T) -> SectionOutcome[T]:
        return cls(value=value)

    @classmethod
    def failed(cls, problem: str) -> SectionOutcome[T]:
        return cls(problem=problem or "UNKNOWN")


@dataclass(frozen=True)
class CabinetView:
    partner_id: str
    outcomes: Mapping[Section, SectionOutcome[object]]

    @property
    def missing(self) -> tuple[Section, ...]:
        return tuple(section for section in Section if not self.outcomes[section].available)

    @property
    def partial(self) -> bool:
        return bool(self.missing)


def compose_cabinet(partner_id: str, outcomes: Mapping[Section, SectionOutcome[object]]) -> CabinetView:
    """One view from every section's outcome; a section nobody answered is missing."""
    for section in _PARTNER_AUTHORITY:
        outcome = outcomes.get(section)
        if outcome is not None and outcome.problem == NOT_FOUND:
            raise not_found("partner", partner_id)
    complete = {section: outcomes.get(section) or SectionOutcome.failed(NOT_ANSWERED) for section in Section}
    return CabinetView(partner_id=partner_id, outcomes=complete)
