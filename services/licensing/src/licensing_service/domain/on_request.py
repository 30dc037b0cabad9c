"""Conditions of the on-request NFR key (R-NFR-04, R-NFR-05), each unmet one named."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from ppcore.errors import FailedPrecondition, FieldViolation, InvalidArgument


class SiteTopic(StrEnum):
    """What the partner's site is about; only program-related topics qualify (R-NFR-04)."""

    WEB_DEVELOPMENT = "WEB_DEVELOPMENT"
    HOSTING = "HOSTING"
    SOFTWARE_DISTRIBUTION = "SOFTWARE_DISTRIBUTION"
    OTHER_PROGRAM_SERVICES = "OTHER_PROGRAM_SERVICES"
    UNRELATED = "UNRELATED"


@dataclass(frozen=True)
class SiteChecklist:
    """The site integration requirements of R-NFR-05, as confirmed by the requester."""

    company_description: bool
    services_list: bool
    partner_statement_in_words: bool
    product_description_all_editions: bool
    bitrix24_logo: bool
    powered_by_link_on_every_page: bool

    def missing(self) -> tuple[str, ...]:
        return tuple(item.name for item in fields(self) if not getattr(self, item.name))


@dataclass(frozen=True)
class OnRequestFacts:
    """What the request and the status service say about the partner and its site.

    ``certified_employees`` counts employees holding every policy course for the
    on-request key (asked of the status service).
    """

    contract_accepted: bool
    certified_employees: int
    site_on_product: bool
    checklist: SiteChecklist
    original_design: bool
    site_topic: SiteTopic


@dataclass(frozen=True)
class UnmetCondition:
    condition: str
    description: str
    rule: str


def unmet_conditions(facts: OnRequestFacts, min_certified_employees: int) -> tuple[UnmetCondition, ...]:
    """Every condition of R-NFR-04/05 the partner does not meet, in the document's order."""
    unmet: list[UnmetCondition] = []
    if not facts.contract_accepted:
        unmet.append(UnmetCondition("contract_accepted", "the contract application is not accepted", "R-NFR-04"))
    if facts.certified_employees < min_certified_employees:
        unmet.append(
            UnmetCondition(
                "certified_employees",
                f"{facts.certified_employees} employees certified in the required courses, "
                f"at least {min_certified_employees} needed",
                "R-NFR-04",
            )
        )
    if not facts.site_on_product:
        unmet.append(UnmetCondition("site_on_product", "the site does not run on the product", "R-NFR-04"))
    for item in facts.checklist.missing():
        unmet.append(UnmetCondition(f"checklist.{item}", "site integration requirement not met", "R-NFR-05"))
    if not facts.original_design:
        unmet.append(UnmetCondition("original_design", "the site uses a shipped template design", "R-NFR-04"))
    if facts.site_topic is SiteTopic.UNRELATED:
        unmet.append(UnmetCondition("site_topic", "the site is not about program-related services", "R-NFR-04"))
    return tuple(unmet)


def require_conditions(facts: OnRequestFacts, min_certified_employees: int) -> None:
    """Refuse with FAILED_PRECONDITION naming every unmet condition (R-NFR-04/05)."""
    unmet = unmet_conditions(facts, min_certified_employees)
    if unmet:
        names = ", ".join(condition.condition for condition in unmet)
        raise FailedPrecondition(
            reason="ON_REQUEST_CONDITIONS_UNMET",
            message=f"on-request NFR key refused, unmet conditions: {names} (R-NFR-04)",
            rule="R-NFR-04",
            violations=tuple(FieldViolation(f"conditions.{c.condition}", f"{c.description} ({c.rule})") for c in unmet),
        )


class KeyRequestState(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass
class OnRequestKeyRequest:
    """A partner's request for its on-request key, waiting for staff to verify the site (R-NFR-04/05).

    What the partner declared about its site is kept as asked; staff verify it on the site
    itself and approve (the key is issued) or reject with the reason.
    """

    key_request_id: str
    partner_id: str
    site_url: str
    edition: str
    site_on_product: bool
    checklist: SiteChecklist
    original_design: bool
    site_topic: SiteTopic
    requested_at: datetime
    state: KeyRequestState = KeyRequestState.PENDING
    decided_at: datetime | None = None
    decided_by: str = ""
    decision_note: str = ""
    grant_id: str = ""

    @property
    def is_pending(self) -> bool:
        return self.state is KeyRequestState.PENDING

    def decide(self, state: KeyRequestState, *, at: datetime, by: str, note: str, grant_id: str = "") -> None:
        if not self.is_pending:
            raise FailedPrecondition(
                reason="KEY_REQUEST_ALREADY_DECIDED",
                message=f"key_request_id: request {self.key_request_id} is {self.state.value} (R-NFR-04)",
                rule="R-NFR-04",
            )
        if state is KeyRequestState.REJECTED and not note.strip():
            raise InvalidArgument.for_field(
                "reason", "say which requirement the site does not meet", reason="REASON_REQUIRED", rule="R-NFR-05"
            )
        self.state = state
        self.decided_at = at
        self.decided_by = by
        self.decision_note = note.strip()
        self.grant_id = grant_id
