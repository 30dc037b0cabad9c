"""A partner's sanction history, in the order things happened (R-SAN-01)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from compliance_service.domain.sanctions import Sanction


class TimelineChange(StrEnum):
    APPLIED = "APPLIED"
    LIFTED = "LIFTED"


@dataclass(frozen=True)
class TimelineEntry:
    time: datetime
    change: TimelineChange
    sanction: Sanction


def sanction_timeline(sanctions: Iterable[Sanction]) -> list[TimelineEntry]:
    """Every application and lift, oldest first; every sanction stays visible (R-SAN-01)."""
    entries: list[TimelineEntry] = []
    for sanction in sanctions:
        entries.append(TimelineEntry(sanction.applied_time, TimelineChange.APPLIED, sanction))
        if sanction.lift is not None:
            entries.append(TimelineEntry(sanction.lift.lifted_time, TimelineChange.LIFTED, sanction))
    # An application sorts before a lift at the same instant.
    return sorted(entries, key=lambda e: (e.time, e.change is TimelineChange.LIFTED, e.sanction.sanction_id))
