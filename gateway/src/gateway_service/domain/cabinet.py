"""The partner cabinet composed from the backends' answers (R-CARD-04), per section, by role.

A backend that is down, refuses or misses the deadline leaves its section unavailable:
the cabinet is then partial and names the missing sections; it is never an error. Only
the status service, which owns partners, can say the partner does not exist. A section the
viewer's role may not see (R-EMP-03/05) is forbidden with its reason and is not read.
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
    """Sections in display order, each answered by one backend: status's and points' from one
    snapshot call each (GetPartnerSnapshot, GetPartnerPointsSnapshot), part by part as the RPC
    named beside the section would answer it."""

    STATUS = "STATUS"  # status: GetPartnerStatus
    CARD = "CARD"  # status: GetPartnerCard
    POINTS = "POINTS"  # points: GetDailyTotal, GetExpiringPoints (30, 90 days), ListPointRequests
    NFR = "NFR"  # licensing: GetPartnerNfrSnapshot (as ListPartnerKeys and GetCloudNfr)
    SANCTIONS = "SANCTIONS"  # compliance: ListActiveSanctions
    PARTNER = "PARTNER"  # status: GetPartner
    DISCOUNT = "DISCOUNT"  # status: CheckDiscountEntitlement (by partner id)
    PROJECTS = "PROJECTS"  # points: ListProjects, ListPointRequests
    MONITORING = "MONITORING"  # points: ListMonitoringSubmissions
    EMPLOYEES = "EMPLOYEES"  # status: ListEmployees
    COMPETENCIES = "COMPETENCIES"  # status: ListCompetencies
    AUTHORIZATION_LETTER = "AUTHORIZATION_LETTER"  # status: GetAuthorizationLetter
    LEADS = "LEADS"  # status: ListLeads (offered to the partner)


# Sections whose NOT_FOUND means "no such partner" (the status service owns partners).
_PARTNER_AUTHORITY = (Section.STATUS, Section.CARD, Section.PARTNER)

# R-EMP-03: a limited employee sees the partner sections except "Buy" (the discount) and
# "Partner cabinet", which the backends draw the same way: points figures and point
# requests (points), NFR licences (licensing), the authorization letter (status).
LIMITED_FORBIDDEN = (Section.DISCOUNT, Section.POINTS, Section.NFR, Section.AUTHORIZATION_LETTER)


@dataclass(frozen=True)
class Viewer:
    """Who looks: a partner user with a role (MAIN, FULL, LIMITED), or staff/system (role None)."""

    partner_role: str | None = None
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Forbidden:
    reason: str
    rule: str


def forbidden_sections(viewer: Viewer) -> dict[Section, Forbidden]:
    """Sections the viewer may not see, with why (R-EMP-01..03); staff and systems see all."""
    forbidden: dict[Section, Forbidden] = {}
    if viewer.partner_role == "LIMITED":
        forbidden = {section: Forbidden("ROLE_LIMITED", "R-EMP-03") for section in LIMITED_FORBIDDEN}
        # R-EMP-05, R-LEAD-02: a limited employee sees leads only in the Leads access group.
        if "LEADS" not in viewer.groups:
            forbidden[Section.LEADS] = Forbidden("NOT_IN_LEADS_GROUP", "R-EMP-05")
    return forbidden


@dataclass(frozen=True)
class SectionOutcome(Generic[T]):
    """A backend's answer, or why there is none (the gRPC status name)."""

    value: T | None = None
    problem: str = ""
    forbidden_by: str = ""  # the rule, when the viewer may not see the section

    @property
    def available(self) -> bool:
        return not self.problem

    @property
    def forbidden(self) -> bool:
        return bool(self.forbidden_by)

    @classmethod
    def answered(cls, value: T) -> SectionOutcome[T]:
        return cls(value=value)

    @classmethod
    def failed(cls, problem: str) -> SectionOutcome[T]:
        return cls(problem=problem or "UNKNOWN")

    @classmethod
    def refused(cls, forbidden: Forbidden) -> SectionOutcome[T]:
        return cls(problem=forbidden.reason, forbidden_by=forbidden.rule)


@dataclass(frozen=True)
class CabinetView:
    partner_id: str
    outcomes: Mapping[Section, SectionOutcome[object]]

    @property
    def missing(self) -> tuple[Section, ...]:
        """Sections that should have come and did not (forbidden ones are not missing)."""
        return tuple(
            section
            for section in Section
            if not self.outcomes[section].available and not self.outcomes[section].forbidden
        )

    @property
    def forbidden(self) -> tuple[Section, ...]:
        return tuple(section for section in Section if self.outcomes[section].forbidden)

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
