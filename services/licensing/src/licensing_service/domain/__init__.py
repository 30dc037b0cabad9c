"""The licensing domain (pure): editions, keys, verification, NFR grants and their rules.

Imports only the standard library and ppcore's errors, clock, calendar and policy.
"""

from licensing_service.domain.cloud import CloudNfr, CloudNfrState, normalise_portal_domain
from licensing_service.domain.edition_change import ChangeRequestState, EditionChangeRequest
from licensing_service.domain.editions import EditionCatalogue
from licensing_service.domain.events import (
    CloudNfrIssued,
    CloudNfrPlanChanged,
    CloudNfrRenewed,
    CloudNfrRevoked,
    LicensingEvent,
    NfrKeyEditionChanged,
    NfrKeyIssued,
    NfrKeyLapsed,
    NfrKeyRenewed,
    NfrKeyRevoked,
)
from licensing_service.domain.grants import Decision, GrantKind, GrantState, NfrGrant, RevocationCause
from licensing_service.domain.history import HistoryAction, HistoryEntry
from licensing_service.domain.keys import LicenseKey, RandomBytes
from licensing_service.domain.on_request import (
    KeyRequestState,
    OnRequestFacts,
    OnRequestKeyRequest,
    SiteChecklist,
    SiteTopic,
    UnmetCondition,
    require_conditions,
    unmet_conditions,
)
from licensing_service.domain.portfolio import (
    ON_REQUEST_ENTITLEMENT,
    IdFactory,
    PartnerNfr,
    expiring_within,
    status_entitlements,
)
from licensing_service.domain.registry import CommercialKey, register_commercial_key
from licensing_service.domain.renewal import (
    RenewalDue,
    RenewalSubject,
    meets_threshold,
    on_request_renewal_threshold,
    period_end,
)
from licensing_service.domain.usage import USAGE_RULE_TEXT, UsageRestriction
from licensing_service.domain.verification import (
    KeyFacts,
    KeyKind,
    KeyLookup,
    KeyVerdict,
    VerifyReason,
    verdict_of,
    verify_key,
)

__all__ = [
    "ON_REQUEST_ENTITLEMENT",
    "USAGE_RULE_TEXT",
    "ChangeRequestState",
    "CloudNfr",
    "CloudNfrIssued",
    "CloudNfrPlanChanged",
    "CloudNfrRenewed",
    "CloudNfrRevoked",
    "CloudNfrState",
    "CommercialKey",
    "Decision",
    "EditionCatalogue",
    "EditionChangeRequest",
    "GrantKind",
    "GrantState",
    "HistoryAction",
    "HistoryEntry",
    "IdFactory",
    "KeyFacts",
    "KeyKind",
    "KeyLookup",
    "KeyRequestState",
    "KeyVerdict",
    "LicenseKey",
    "LicensingEvent",
    "NfrGrant",
    "NfrKeyEditionChanged",
    "NfrKeyIssued",
    "NfrKeyLapsed",
    "NfrKeyRenewed",
    "NfrKeyRevoked",
    "OnRequestFacts",
    "OnRequestKeyRequest",
    "PartnerNfr",
    "RandomBytes",
    "RenewalDue",
    "RenewalSubject",
    "RevocationCause",
    "SiteChecklist",
    "SiteTopic",
    "UnmetCondition",
    "UsageRestriction",
    "VerifyReason",
    "expiring_within",
    "meets_threshold",
    "normalise_portal_domain",
    "on_request_renewal_threshold",
    "period_end",
    "register_commercial_key",
    "require_conditions",
    "status_entitlements",
    "unmet_conditions",
    "verdict_of",
    "verify_key",
]
