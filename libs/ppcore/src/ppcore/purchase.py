"""The sales platform's purchase check names the buyer (R-ENT-01/02), wherever it arrives.

Status enforces it for its own callers and the gateway for the sales platform calling the
gateway (which then calls status with its own service identity): one rule, one reason code.
Pure: no I/O.
"""

from __future__ import annotations

from ppcore.errors import InvalidArgument


def require_buyer_for_purchase(*, sales_platform: bool, buyer_login: str) -> None:
    """The sales platform's purchase check names the buyer account (R-ENT-01/02).

    Only the main user and full-rights employees may buy at the discount (4.1.2, 4.1.3),
    which can be checked only when the buyer is named; a check by partner id alone is a
    staff query.
    """
    if sales_platform and not buyer_login:
        raise InvalidArgument.for_field(
            "buyer_login",
            "a purchase check names the buyer's login, so its purchase right is checked (R-ENT-01, R-ENT-02); "
            "a check by partner id alone is a staff query",
            reason="BUYER_REQUIRED",
            rule="R-ENT-01",
        )
