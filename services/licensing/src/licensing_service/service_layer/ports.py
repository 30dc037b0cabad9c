"""What the licensing use cases ask of other services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PartnerFacts:
    """The status service's answer about a partner (R-NFR-04 conditions)."""

    exists: bool
    terminated: bool
    contract_accepted: bool
    certified_employees: int


class PartnerFactsPort(Protocol):
    async def partner_facts(self, partner_id: str, course_codes: tuple[str, ...]) -> PartnerFacts:
        """Facts of ``partner_id``; ``certified_employees`` counts logins holding every course."""
        ...
