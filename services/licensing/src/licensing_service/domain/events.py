"""Domain events the licensing service publishes (one message each in events.proto).

Each carries the partner and what a consumer needs to act without calling back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, kw_only=True)
class LicensingEvent:
    partner_id: str
    occurred_at: datetime
    policy_version: str


@dataclass(frozen=True, kw_only=True)
class NfrKeyIssued(LicensingEvent):
    """A grant got a key: a new grant, or a revoked grant restored with a fresh key."""

    grant_id: str
    grant_kind: str
    entitlement: str
    key: str
    edition: str
    valid_until: date
    restored: bool
    usage_restriction: str


@dataclass(frozen=True, kw_only=True)
class NfrKeyRevoked(LicensingEvent):
    grant_id: str
    key: str
    edition: str
    cause: str
    reason: str
    rule: str


@dataclass(frozen=True, kw_only=True)
class NfrKeyRenewed(LicensingEvent):
    grant_id: str
    key: str
    edition: str
    previous_valid_until: date
    valid_until: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class NfrKeyLapsed(LicensingEvent):
    grant_id: str
    key: str
    edition: str
    valid_until: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class NfrKeyEditionChanged(LicensingEvent):
    grant_id: str
    key: str
    from_edition: str
    to_edition: str
    change_request_id: str


@dataclass(frozen=True, kw_only=True)
class CloudNfrIssued(LicensingEvent):
    cloud_nfr_id: str
    portal_domain: str
    plan: str
    disk_gb: int
    custom_domain_allowed: bool
    valid_until: date
    restored: bool


@dataclass(frozen=True, kw_only=True)
class CloudNfrRenewed(LicensingEvent):
    cloud_nfr_id: str
    portal_domain: str
    previous_valid_until: date
    valid_until: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class CloudNfrPlanChanged(LicensingEvent):
    """The portal left the NFR plan for the free plan; the portal itself stays (R-NFR-08)."""

    cloud_nfr_id: str
    portal_domain: str
    from_plan: str
    to_plan: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class CloudNfrRevoked(LicensingEvent):
    cloud_nfr_id: str
    portal_domain: str
    cause: str
    reason: str
    rule: str
