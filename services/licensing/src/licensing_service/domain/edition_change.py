"""A request to change one status key to a lower edition (R-NFR-02), decided by staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ppcore.errors import FailedPrecondition


class ChangeRequestState(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass
class EditionChangeRequest:
    change_request_id: str
    partner_id: str
    grant_id: str
    from_edition: str
    to_edition: str
    requested_at: datetime
    state: ChangeRequestState = ChangeRequestState.PENDING
    decided_at: datetime | None = None
    decision_note: str = ""

    @property
    def is_pending(self) -> bool:
        return self.state is ChangeRequestState.PENDING

    def decide(self, state: ChangeRequestState, at: datetime, note: str) -> None:
        if not self.is_pending:
            raise FailedPrecondition(
                reason="EDITION_CHANGE_ALREADY_DECIDED",
                message=f"change_request_id: request {self.change_request_id} is {self.state.value} (R-NFR-02)",
                rule="R-NFR-02",
            )
        self.state = state
        self.decided_at = at
        self.decision_note = note
