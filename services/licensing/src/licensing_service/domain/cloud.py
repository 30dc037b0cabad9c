"""The Bitrix24 cloud NFR (R-NFR-07/08): a partner portal on the Company plan for free."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from licensing_service.domain.events import (
    CloudNfrIssued,
    CloudNfrPlanChanged,
    CloudNfrRenewed,
    CloudNfrRevoked,
    LicensingEvent,
)
from licensing_service.domain.grants import Decision, RevocationCause
from licensing_service.domain.history import HistoryAction, HistoryEntry
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import CloudNfrPolicy

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class CloudNfrState(StrEnum):
    ACTIVE = "ACTIVE"
    FREE_PLAN = "FREE_PLAN"
    REVOKED = "REVOKED"


def normalise_portal_domain(text: str, limits: CloudNfrPolicy | None = None) -> str:
    """The portal's host name in lower case; anything that is not a host name is invalid (R-NFR-07).

    With ``limits`` that allow no custom domain, only a Bitrix24 cloud portal qualifies: one
    portal name before one of the policy's cloud domain suffixes (``studio.bitrix24.ua``).
    """
    domain = text.strip().lower().rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidArgument.for_field(
            "portal_domain",
            "must be the host name of the partner's portal (R-NFR-07)",
            reason="PORTAL_DOMAIN_INVALID",
            rule="R-NFR-07",
        )
    if limits is not None and not limits.custom_domain and not _is_cloud_portal(domain, limits.portal_domain_suffixes):
        raise InvalidArgument.for_field(
            "portal_domain",
            f"{domain} is a custom domain; a cloud NFR portal has no custom domain, it is "
            f"<portal>.{' / '.join(limits.portal_domain_suffixes)} (R-NFR-07)",
            reason="PORTAL_DOMAIN_CUSTOM",
            rule="R-NFR-07",
        )
    return domain


def _is_cloud_portal(domain: str, suffixes: tuple[str, ...]) -> bool:
    """One portal label directly before a cloud suffix: ``a.bitrix24.ua`` yes, ``a.b.bitrix24.ua`` no."""
    return any(domain.endswith("." + suffix) and "." not in domain[: -len(suffix) - 1] for suffix in suffixes)


@dataclass
class CloudNfr:
    """A partner's cloud NFR: Company-plan features, a fixed disk, no custom domain (R-NFR-07).

    ``valid_until`` is the last day of the current NFR year; the yearly check on that day
    renews it or moves the portal to the free plan (R-NFR-08).
    """

    cloud_nfr_id: str
    partner_id: str
    portal_domain: str
    plan: str
    disk_gb: int
    custom_domain_allowed: bool
    issued_on: date
    valid_until: date
    years_renewed: int = 0
    state: CloudNfrState = CloudNfrState.ACTIVE
    revocation_cause: RevocationCause | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[LicensingEvent] = field(default_factory=list)

    @classmethod
    def issue(
        cls,
        *,
        cloud_nfr_id: str,
        partner_id: str,
        portal_domain: str,
        limits: CloudNfrPolicy,
        today: date,
        valid_until: date,
        decision: Decision,
    ) -> CloudNfr:
        cloud = cls(
            cloud_nfr_id=cloud_nfr_id,
            partner_id=partner_id,
            portal_domain=normalise_portal_domain(portal_domain, limits),
            plan=limits.plan,
            disk_gb=limits.disk_gb,
            custom_domain_allowed=limits.custom_domain,
            issued_on=today,
            valid_until=valid_until,
        )
        cloud._record(HistoryAction.ISSUED, decision)
        cloud._issued_event(decision, restored=False)
        return cloud

    @property
    def is_active(self) -> bool:
        return self.state is CloudNfrState.ACTIVE

    def renew(self, valid_until: date, decision: Decision) -> None:
        self._require(CloudNfrState.ACTIVE, "renew")
        previous = self.valid_until
        self.valid_until = valid_until
        self.years_renewed += 1
        self._record(HistoryAction.RENEWED, decision)
        self.events.append(
            CloudNfrRenewed(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                cloud_nfr_id=self.cloud_nfr_id,
                portal_domain=self.portal_domain,
                previous_valid_until=previous,
                valid_until=valid_until,
                reason=decision.reason,
            )
        )

    def move_to_free_plan(self, fallback_plan: str, decision: Decision) -> None:
        """R-NFR-08: the portal stays, on the free plan; the NFR ends."""
        self._require(CloudNfrState.ACTIVE, "move to the free plan")
        from_plan = self.plan
        self.plan = fallback_plan
        self.state = CloudNfrState.FREE_PLAN
        self._record(HistoryAction.PLAN_CHANGED, decision)
        self.events.append(
            CloudNfrPlanChanged(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                cloud_nfr_id=self.cloud_nfr_id,
                portal_domain=self.portal_domain,
                from_plan=from_plan,
                to_plan=fallback_plan,
                reason=decision.reason,
            )
        )

    def revoke(self, cause: RevocationCause, decision: Decision) -> None:
        self._require(CloudNfrState.ACTIVE, "revoke")
        self.state = CloudNfrState.REVOKED
        self.revocation_cause = cause
        self._record(HistoryAction.REVOKED, decision)
        self.events.append(
            CloudNfrRevoked(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                cloud_nfr_id=self.cloud_nfr_id,
                portal_domain=self.portal_domain,
                cause=cause.value,
                reason=decision.reason,
                rule=decision.rule,
            )
        )

    def restore(self, decision: Decision) -> None:
        """Undo a mistaken revocation: the same cloud NFR, plan and validity."""
        self._require(CloudNfrState.REVOKED, "restore")
        self.state = CloudNfrState.ACTIVE
        self.revocation_cause = None
        self._record(HistoryAction.RESTORED, decision)
        self._issued_event(decision, restored=True)

    def _require(self, state: CloudNfrState, verb: str) -> None:
        if self.state is not state:
            raise FailedPrecondition(
                reason=f"CLOUD_NFR_NOT_{state.value}",
                message=f"cloud_nfr_id: cannot {verb} cloud NFR {self.cloud_nfr_id}, it is {self.state.value}",
            )

    def _record(self, action: HistoryAction, decision: Decision) -> None:
        self.history.append(
            HistoryEntry(
                at=decision.at,
                action=action,
                reason=decision.reason,
                rule=decision.rule,
                policy_version=decision.policy_version,
                key="",
                detail=self.plan,
                valid_until=self.valid_until,
            )
        )

    def _issued_event(self, decision: Decision, *, restored: bool) -> None:
        self.events.append(
            CloudNfrIssued(
                partner_id=self.partner_id,
                occurred_at=decision.at,
                policy_version=decision.policy_version,
                cloud_nfr_id=self.cloud_nfr_id,
                portal_domain=self.portal_domain,
                plan=self.plan,
                disk_gb=self.disk_gb,
                custom_domain_allowed=self.custom_domain_allowed,
                valid_until=self.valid_until,
                restored=restored,
            )
        )
