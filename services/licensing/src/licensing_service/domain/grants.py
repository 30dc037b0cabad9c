"""NFR grants: the entitlement to a key, and the key that currently serves it.

The grant, not the key, carries the entitlement (R-NFR-01/04): it keeps its slot, edition
and validity when its key is replaced, and a grant revoked by mistake is restored with a
fresh key rather than issued anew. Keys a grant no longer uses stay revoked for ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from licensing_service.domain.events import (
    LicensingEvent,
    NfrKeyEditionChanged,
    NfrKeyIssued,
    NfrKeyLapsed,
    NfrKeyRenewed,
    NfrKeyRevoked,
)
from licensing_service.domain.history import HistoryAction, HistoryEntry
from licensing_service.domain.keys import LicenseKey
from licensing_service.domain.usage import UsageRestriction
from licensing_service.domain.verification import KeyFacts, KeyKind
from ppcore.errors import FailedPrecondition


class GrantKind(StrEnum):
    STATUS = "STATUS"
    ON_REQUEST = "ON_REQUEST"


class GrantState(StrEnum):
    ACTIVE = "ACTIVE"
    LAPSED = "LAPSED"
    REVOKED = "REVOKED"


class RevocationCause(StrEnum):
    STATUS_LOST = "STATUS_LOST"
    TERMINATION = "TERMINATION"
    SANCTION = "SANCTION"
    STAFF = "STAFF"


@dataclass(frozen=True)
class Decision:
    """Who or what caused a change: when, why, which rule and policy version."""

    at: datetime
    reason: str
    rule: str
    policy_version: str


@dataclass
class NfrGrant:
    """One NFR entitlement of a partner.

    ``entitlement`` names the slot it fills (``CERTIFIED_1``, ``GOLD_2``, ``ON_REQUEST``);
    ``valid_until`` is the last valid day (Kyiv date).
    """

    grant_id: str
    partner_id: str
    kind: GrantKind
    entitlement: str
    edition: str
    key: LicenseKey
    issued_on: date
    valid_until: date
    state: GrantState = GrantState.ACTIVE
    revocation_cause: RevocationCause | None = None
    edition_changed: bool = False
    years_renewed: int = 0
    site_url: str = ""
    usage_restriction: UsageRestriction = UsageRestriction.OWN_SITE_OR_DEMO
    retired_keys: list[LicenseKey] = field(default_factory=list)
    # On-request keys (R-NFR-05): the latest staff check of the site requirements.
    site_checked_on: date | None = None
    site_requirements_hold: bool | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[LicensingEvent] = field(default_factory=list)

    @classmethod
    def issue(
        cls,
        *,
        grant_id: str,
        partner_id: str,
        kind: GrantKind,
        entitlement: str,
        edition: str,
        key: LicenseKey,
        valid_until: date,
        today: date,
        decision: Decision,
        site_url: str = "",
    ) -> NfrGrant:
        grant = cls(grant_id, partner_id, kind, entitlement, edition, key, today, valid_until, site_url=site_url)
        grant._record(HistoryAction.ISSUED, decision, grant.edition)
        grant._issued_event(decision, restored=False)
        return grant

    # --- reads ------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.state is GrantState.ACTIVE

    def all_keys(self) -> tuple[LicenseKey, ...]:
        return (*self.retired_keys, self.key)

    def facts(self, key: LicenseKey) -> KeyFacts:
        """Verification facts for ``key``, one of this grant's keys (R-NFR-10).

        NFR keys are activation keys handed to the partner, so they count as activated
        from issue; a key the grant no longer uses reads as revoked.
        """
        kind = KeyKind.NFR_STATUS if self.kind is GrantKind.STATUS else KeyKind.NFR_ON_REQUEST
        return KeyFacts(
            key=key,
            kind=kind,
            edition=self.edition,
            owner_id=self.partner_id,
            activated=True,
            demo=False,
            revoked=self.state is GrantState.REVOKED or key != self.key,
            valid_until=self.valid_until,
        )

    # --- changes ----------------------------------------------------------------
    def renew(self, valid_until: date, decision: Decision) -> None:
        self._require_active("renew")
        previous = self.valid_until
        self.valid_until = valid_until
        self.years_renewed += 1
        self._record(HistoryAction.RENEWED, decision, self.edition)
        self.events.append(
            NfrKeyRenewed(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                grant_id=self.grant_id,
                key=self.key.value,
                edition=self.edition,
                previous_valid_until=previous,
                valid_until=valid_until,
                reason=decision.reason,
            )
        )

    def lapse(self, decision: Decision) -> None:
        self._require_active("lapse")
        self.state = GrantState.LAPSED
        self._record(HistoryAction.LAPSED, decision, self.edition)
        self.events.append(
            NfrKeyLapsed(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                grant_id=self.grant_id,
                key=self.key.value,
                edition=self.edition,
                valid_until=self.valid_until,
                reason=decision.reason,
            )
        )

    def revoke(self, cause: RevocationCause, decision: Decision) -> None:
        self._require_active("revoke")
        self.state = GrantState.REVOKED
        self.revocation_cause = cause
        self._record(HistoryAction.REVOKED, decision, self.edition)
        self.events.append(
            NfrKeyRevoked(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                grant_id=self.grant_id,
                key=self.key.value,
                edition=self.edition,
                cause=cause.value,
                reason=decision.reason,
                rule=decision.rule,
            )
        )

    def restore(self, new_key: LicenseKey, decision: Decision) -> None:
        """Undo a mistaken revocation: same grant, same edition and validity, a fresh key."""
        if self.state is not GrantState.REVOKED:
            raise FailedPrecondition(
                reason="GRANT_NOT_REVOKED",
                message=f"grant_id: grant {self.grant_id} is {self.state.value}, only a revoked grant is restored",
                rule=decision.rule,
            )
        self.retired_keys.append(self.key)
        self.key = new_key
        self.state = GrantState.ACTIVE
        self.revocation_cause = None
        self._record(HistoryAction.RESTORED, decision, self.edition)
        self._issued_event(decision, restored=True)

    def record_site_check(self, on: date, holds: bool, decision: Decision) -> None:
        """Staff checked the site requirements of an on-request key (R-NFR-05: kept for as long as the key is used)."""
        self._require_active("check the site of")
        self.site_checked_on = on
        self.site_requirements_hold = holds
        self._record(HistoryAction.SITE_CHECKED, decision, self.edition)

    def change_edition(self, to_edition: str, change_request_id: str, decision: Decision) -> None:
        self._require_active("change the edition of")
        from_edition = self.edition
        self.edition = to_edition
        self.edition_changed = True
        self._record(HistoryAction.EDITION_CHANGED, decision, to_edition)
        self.events.append(
            NfrKeyEditionChanged(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                grant_id=self.grant_id,
                key=self.key.value,
                from_edition=from_edition,
                to_edition=to_edition,
                change_request_id=change_request_id,
            )
        )

    # --- helpers ----------------------------------------------------------------
    def _require_active(self, verb: str) -> None:
        if not self.is_active:
            raise FailedPrecondition(
                reason="GRANT_NOT_ACTIVE",
                message=f"grant_id: cannot {verb} grant {self.grant_id}, it is {self.state.value}",
            )

    def _record(self, action: HistoryAction, decision: Decision, detail: str) -> None:
        self.history.append(
            HistoryEntry(
                at=decision.at,
                action=action,
                reason=decision.reason,
                rule=decision.rule,
                policy_version=decision.policy_version,
                key=self.key.value,
                detail=detail,
                valid_until=self.valid_until,
            )
        )

    def _issued_event(self, decision: Decision, *, restored: bool) -> None:
        self.events.append(
            NfrKeyIssued(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                grant_id=self.grant_id,
                grant_kind=self.kind.value,
                entitlement=self.entitlement,
                key=self.key.value,
                edition=self.edition,
                valid_until=self.valid_until,
                restored=restored,
                usage_restriction=self.usage_restriction.value,
            )
        )
