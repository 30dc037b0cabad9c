"""The public violators list (R-SAN-06)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from compliance_service.domain.sanction_catalogue import SanctionKind
from compliance_service.domain.sanctions import Sanction
from compliance_service.domain.violation_types import ViolationType


@dataclass(frozen=True)
class ViolatorEntry:
    """One public line: who, for what kind of violation, since and until when.

    Public, so it carries no evidence and no personal data (R-PD-01); the partner's
    display name is joined by the reader from the status service's data.
    """

    partner_id: str
    sanction_id: str
    case_id: str
    violation_type: ViolationType
    listed_since: date
    listed_until: date | None


def violators_list(
    sanctions: Iterable[Sanction],
    violation_types: Mapping[str, ViolationType],
    at: datetime,
) -> list[ViolatorEntry]:
    """Partners with a VIOLATORS_LIST sanction holding at ``at``, newest listing first (R-SAN-06).

    A partner listed by several cases appears once, under its most recent listing; its
    ``listed_until`` is the latest end (None when any listing is permanent).
    ``violation_types`` maps case id to the case's type.
    """
    by_partner: dict[str, list[Sanction]] = {}
    for sanction in sanctions:
        if sanction.kind is SanctionKind.VIOLATORS_LIST and sanction.is_active_at(at):
            by_partner.setdefault(sanction.partner_id, []).append(sanction)
    entries: list[ViolatorEntry] = []
    for partner_id, listings in by_partner.items():
        latest = max(listings, key=lambda s: (s.start_date, s.sanction_id))
        ends = [s.end_date for s in listings]
        entries.append(
            ViolatorEntry(
                partner_id=partner_id,
                sanction_id=latest.sanction_id,
                case_id=latest.case_id,
                violation_type=violation_types.get(latest.case_id, ViolationType.OTHER),
                listed_since=latest.start_date,
                listed_until=None if any(end is None for end in ends) else max(e for e in ends if e is not None),
            )
        )
    entries.sort(key=lambda e: (-e.listed_since.toordinal(), e.partner_id))
    return entries
