"""Who may call each RPC of GatewayService (deny by default; partner roles of R-EMP-*)."""

from __future__ import annotations

from ppcore.auth import AccessTable, Allow, CallerKind, PartnerRole

STAFF, SYSTEM, SALES, PARTNER = (
    CallerKind.STAFF,
    CallerKind.SYSTEM,
    CallerKind.SALES_PLATFORM,
    CallerKind.PARTNER_USER,
)
# R-EMP-03: a limited employee gets the partner view with the "Buy" and "Partner cabinet"
# sections forbidden (per section, never the whole view); R-EMP-04: a certified specialist
# gets no rights.
_VIEW_ROLES = (PartnerRole.MAIN, PartnerRole.FULL, PartnerRole.LIMITED)

ACCESS: AccessTable = {
    "GetPartnerCabinet": Allow.of(STAFF, SYSTEM, PARTNER, partner_roles=_VIEW_ROLES),
    # The public partner list: anyone, with or without a token (R-CARD-01).
    "ListDirectory": Allow.public(),
    # The same callers the status service admits to its own check (R-ENT-01).
    "CheckDiscountEntitlement": Allow.of(SALES, STAFF, SYSTEM),
    # The public violators list (R-SAN-06).
    "ListViolators": Allow.public(),
    # The checkout facade records a refused price as an incident: the sales platform and systems.
    "CheckCheckout": Allow.of(SALES, SYSTEM),
    # R-POL-01: the program office's what-if and the policy versions, staff only.
    "SimulatePolicyChange": Allow.of(STAFF),
    "ListPolicyVersions": Allow.of(STAFF),
}
