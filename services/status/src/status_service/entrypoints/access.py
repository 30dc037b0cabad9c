"""Who may call each RPC of StatusService (deny by default; partner roles of R-EMP-01..04)."""

from __future__ import annotations

from ppcore.auth import AccessTable, Allow, CallerKind, PartnerRole

STAFF, SYSTEM, SALES, PARTNER = (
    CallerKind.STAFF,
    CallerKind.SYSTEM,
    CallerKind.SALES_PLATFORM,
    CallerKind.PARTNER_USER,
)
# R-EMP-01/02: the cabinet (contract, buying, card edits, attaching) is the main user's and full rights'.
_CABINET = (PartnerRole.MAIN, PartnerRole.FULL)
# R-EMP-03: a limited employee sees the partner sections; a certified specialist gets no rights (R-EMP-04).
_SECTIONS = (PartnerRole.MAIN, PartnerRole.FULL, PartnerRole.LIMITED)

_staff = Allow.of(STAFF)
_internal = Allow.of(STAFF, SYSTEM)
_sections = Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=_SECTIONS)
_cabinet = Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=_CABINET)

ACCESS: AccessTable = {
    "GetApplication": _internal,
    "ListApplications": _internal,
    "CreateApplication": _internal,
    "ApproveApplication": _staff,
    "RejectApplication": _staff,
    "RequestApplicationInfo": _staff,
    "ProvideApplicationInfo": _internal,
    "GetPartner": _sections,
    "ListPartners": _internal,
    "GetPartnerFacts": _internal,
    "FileContractApplication": _cabinet,
    "AcceptContractApplication": _staff,
    "RefuseContractApplication": _staff,
    "GetAuthorizationLetter": _cabinet,
    "TerminatePartner": _staff,
    "GetPartnerCard": _sections,
    "ProposeCardChange": _cabinet,
    "ApproveCardChange": _staff,
    "RejectCardChange": _staff,
    "GetPublicListEligibility": _sections,
    "ListEmployees": _sections,
    "AttachEmployee": _cabinet,
    # Anyone attached may leave; the domain checks who may detach others.
    "DetachEmployee": Allow.of(STAFF, SYSTEM, PARTNER),
    "SetEmployeeAccessGroups": _cabinet,
    "ChangeMainUser": _staff,
    "GetAccess": Allow.of(STAFF, SYSTEM, PARTNER),
    "ListCertificates": Allow.of(STAFF, SYSTEM, PARTNER),
    "RecordCertificate": _internal,
    "RevokeCertificate": _internal,
    "ListCompetencies": _sections,
    "GrantCompetency": _staff,
    "RevokeCompetency": _staff,
    "GetPartnerSnapshot": _internal,  # the gateway's partner view (R-CARD-04)
    "GetPartnerStatus": _sections,
    "ListStatusHistory": _sections,
    "EvaluatePartnerStatus": _internal,
    "GetStatusCertificate": _cabinet,
    "RunDailyStatusReview": _internal,
    # R-POL-01: the program office's what-if, staff only; the reads also for the gateway,
    # whose staff route forwards them as itself after admitting staff only.
    "SimulatePolicyChange": _internal,
    "RegisterPolicyVersion": _staff,
    "ListPolicyVersions": _internal,
    "CheckDiscountEntitlement": Allow.of(SALES, STAFF, SYSTEM),
    "ListLeadRecipients": _internal,
    # R-LEAD-01: the partner site records leads, staff moderate and distribute them; a
    # partner answers through its Leads-group employees (R-LEAD-02, checked in the domain).
    "ReceiveLead": _internal,
    "ModerateLead": _staff,
    "OfferLead": _internal,
    "TakeLead": Allow.of(STAFF, SYSTEM, PARTNER),
    "DeclineLead": Allow.of(STAFF, SYSTEM, PARTNER),
    "GetLead": Allow.of(STAFF, SYSTEM, PARTNER),
    "ListLeads": Allow.of(STAFF, SYSTEM, PARTNER),
}
