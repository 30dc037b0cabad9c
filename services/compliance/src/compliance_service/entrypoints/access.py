"""Who may call each RPC of ComplianceService (deny by default).

Staff run the reviews. Partner users with purchase-level rights (main user and
full-rights employees, R-EMP-01/02) see their own partner's cases and sanction history and
may appeal; limited employees and certified specialists do not (R-EMP-03/04). Personal
data is staff-only (R-PD-01). The violators list is public (R-SAN-06). The price check
belongs to the sales platform (R-PRC-02).
"""

from __future__ import annotations

from ppcore.auth import AccessTable, Allow, CallerKind, PartnerRole

_STAFF = CallerKind.STAFF
_SYSTEM = CallerKind.SYSTEM
_PARTNER = CallerKind.PARTNER_USER
_CABINET_ROLES = (PartnerRole.MAIN, PartnerRole.FULL)

ACCESS: AccessTable = {
    "GetCase": Allow.of(_STAFF, _SYSTEM, _PARTNER, partner_roles=_CABINET_ROLES),
    "ListCases": Allow.of(_STAFF, _SYSTEM, _PARTNER, partner_roles=_CABINET_ROLES),
    "OpenCase": Allow.of(_STAFF),
    "ConfirmCase": Allow.of(_STAFF),
    "DismissCase": Allow.of(_STAFF),
    "AppealCase": Allow.of(_STAFF, _PARTNER, partner_roles=_CABINET_ROLES),
    "DecideAppeal": Allow.of(_STAFF),
    "ApplySanction": Allow.of(_STAFF),
    "LiftSanction": Allow.of(_STAFF),
    "ListSanctionTimeline": Allow.of(_STAFF, _SYSTEM, _PARTNER, partner_roles=_CABINET_ROLES),
    "ListActiveSanctions": Allow.of(_STAFF, _SYSTEM),
    "CheckResalePrice": Allow.of(CallerKind.SALES_PLATFORM, _SYSTEM),
    "RecordAgreedDiscount": Allow.of(_STAFF),
    "EndAgreedDiscount": Allow.of(_STAFF),
    "ListAgreedDiscounts": Allow.of(_STAFF, _SYSTEM),
    "RecordControlPurchase": Allow.of(_STAFF),
    "OpenPersonalDataRequest": Allow.of(_STAFF),
    "CompletePersonalDataRequest": Allow.of(_STAFF),
    "ListOverduePersonalDataRequests": Allow.of(_STAFF),
    "ListViolators": Allow.public(),
    "RunSanctionLifts": Allow.of(_STAFF, _SYSTEM),
}
