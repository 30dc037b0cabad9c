"""Who may call each PointsService RPC (deny by default; partner roles per R-EMP-01..04)."""

from __future__ import annotations

from ppcore.auth import AccessTable, Allow, CallerKind, PartnerRole

STAFF, SYSTEM, SALES, PARTNER = (
    CallerKind.STAFF,
    CallerKind.SYSTEM,
    CallerKind.SALES_PLATFORM,
    CallerKind.PARTNER_USER,
)
# R-EMP-01/02: main and full-rights users act for the partner and see the cabinet (active points, R-CARD-04).
CABINET = (PartnerRole.MAIN, PartnerRole.FULL)
# R-EMP-03: limited employees see partner sections (projects, monitoring) but not the cabinet.
SECTIONS = (PartnerRole.MAIN, PartnerRole.FULL, PartnerRole.LIMITED)

_staff_only = Allow.of(STAFF)
_internal = Allow.of(STAFF, SYSTEM)
_cabinet_read = Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=CABINET)
_section_read = Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=SECTIONS)
_partner_write = Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=CABINET)

ACCESS: AccessTable = {
    "ListLedgerEntries": _cabinet_read,
    "GetActiveTotal": _cabinet_read,
    "GetPartnerPointsSnapshot": _internal,  # the gateway's partner view (R-CARD-04)
    "GetDailyTotal": _cabinet_read,
    "GetExpiringPoints": _cabinet_read,
    "GetLifetimePoints": _cabinet_read,
    "ReverseLedgerEntry": _staff_only,
    "RecordOrder": Allow.of(SALES, SYSTEM),
    "CancelOrder": Allow.of(SALES, SYSTEM),
    "GetOrder": Allow.of(STAFF, SYSTEM, SALES),
    "GetSalesVolume": _internal,
    "GetProject": _section_read,
    "ListProjects": _section_read,
    "SubmitProject": _partner_write,
    "UpdateProject": _partner_write,
    "ApproveProject": _staff_only,
    "RejectProject": _staff_only,
    "ResubmitProject": _partner_write,
    "ListOverdueProjects": _staff_only,
    "ListProjectDisputes": _staff_only,
    "DecideProjectDispute": _staff_only,
    "DeclareSiteAlias": _staff_only,
    "ListSiteAliases": _internal,
    "GetMonitoringSubmission": _section_read,
    "ListMonitoringSubmissions": _section_read,
    "SubmitMonitoringResults": _partner_write,
    "RecordMonitoringSurvey": _staff_only,
    "GetSurveyQuestionnaire": _section_read,
    "RecordMainAccrual": _internal,
    "GetPointRequest": _cabinet_read,
    "ListPointRequests": _cabinet_read,
    "SubmitPointRequest": _partner_write,
    "DecidePointRequest": _staff_only,
    "ListOverduePointRequests": _staff_only,
    "RunDailyTotals": _internal,
}
