"""Who may call each LicensingService RPC (deny by default).

Partner users see and ask for their own partner's NFR licences only as the main user or
a full-rights employee (R-EMP-01/02): keys are part of the partner cabinet, which limited
employees do not see (R-EMP-03) and certified specialists have no rights at all (R-EMP-04).
"""

from __future__ import annotations

from ppcore.auth import AccessTable, Allow, CallerKind, PartnerRole

STAFF, SYSTEM, SALES, PARTNER = (
    CallerKind.STAFF,
    CallerKind.SYSTEM,
    CallerKind.SALES_PLATFORM,
    CallerKind.PARTNER_USER,
)
CABINET = (PartnerRole.MAIN, PartnerRole.FULL)

ACCESS: AccessTable = {
    "ListEditions": Allow.of(STAFF, SYSTEM, SALES, PARTNER),
    "RegisterLicenseKey": Allow.of(STAFF, SYSTEM),
    "VerifyKey": Allow.of(STAFF, SYSTEM, SALES),
    "GetNfrGrant": Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=CABINET),
    "ListPartnerKeys": Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=CABINET),
    "GetCloudNfr": Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=CABINET),
    "GetPartnerNfrSnapshot": Allow.of(STAFF, SYSTEM),  # the gateway's partner view (R-CARD-04)
    "ListExpiringKeys": Allow.of(STAFF, SYSTEM),
    "RequestOnRequestKey": Allow.of(STAFF, PARTNER, partner_roles=CABINET),
    "ListOnRequestKeyRequests": Allow.of(STAFF),
    "ApproveOnRequestKey": Allow.of(STAFF),
    "RejectOnRequestKey": Allow.of(STAFF),
    "RecordSiteCheck": Allow.of(STAFF),
    "RequestEditionChange": Allow.of(STAFF, PARTNER, partner_roles=CABINET),
    "ApproveEditionChange": Allow.of(STAFF),
    "RejectEditionChange": Allow.of(STAFF),
    "IssueCloudNfr": Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=CABINET),
    "RevokeKey": Allow.of(STAFF),
    "RestoreGrant": Allow.of(STAFF),
    "RestoreCloudNfr": Allow.of(STAFF),
    "RunYearlyRenewals": Allow.of(STAFF, SYSTEM),
}
