"""Personal data shown only to those entitled to it (R-PD-01), and the legal bases it is held on.

The services hold contacts of applicants, employees and clients. A staff view shows them
only to a caller whose role needs them: program staff in the ``PERSONAL_DATA`` access
group (the people who answer data subjects and the other party under the personal-data
annex). Every other caller sees a mask that keeps enough to tell records apart
(``o***@example.ua``, ``+3*********67``) and nothing that identifies the person.

The legal bases are the purposes of the annex's point 2 (2.1 performing the licence
agreement ... 2.6 what the law provides), plus the consent an applicant gives in the
questionnaire (R-PRT-02).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the type: domain packages import this module, and must not pull in auth
    from ppcore.auth import Caller

# The staff access group whose members see personal data unmasked (R-PD-01).
PERSONAL_DATA_GROUP = "PERSONAL_DATA"


class LegalBasis(StrEnum):
    """Why personal data is held (R-PD-01; annex 1, point 2, and the questionnaire's consent)."""

    CONSENT = "CONSENT"  # the person's consent (the application questionnaire, R-PRT-02)
    LICENSE_AGREEMENT = "LICENSE_AGREEMENT"  # 2.1 performing the licence agreement
    PARTIES_AGREEMENTS = "PARTIES_AGREEMENTS"  # 2.2 information exchange under the parties' agreements
    USER_AGREEMENTS = "USER_AGREEMENTS"  # 2.3 agreements the user is a party to or benefits from
    USER_SERVICES = "USER_SERVICES"  # 2.4 services to (potential) users of the products
    PROMOTION_AGREEMENTS = "PROMOTION_AGREEMENTS"  # 2.5 other agreements promoting and serving the products
    LEGAL_OBLIGATION = "LEGAL_OBLIGATION"  # 2.6 rights, duties and bans the law provides


def may_see_personal_data(caller: Caller) -> bool:
    """True when the caller's role needs the contacts themselves (R-PD-01)."""
    return caller.kind == "staff" and PERSONAL_DATA_GROUP in caller.groups


def may_see_contacts_of(caller: Caller, partner_id: str) -> bool:
    """True when the caller may see a partner's contacts whole (R-PD-01).

    Staff in the ``PERSONAL_DATA`` group, and a login of that partner itself: the card's
    phone, its employees and the client contacts it gave for monitoring are its own data.
    Staff without the group, other partners' logins and systems (the gateway included)
    see masks.
    """
    if may_see_personal_data(caller):
        return True
    return caller.kind == "partner_user" and bool(partner_id) and caller.partner_id == partner_id


def mask_text(value: str, keep_end: int = 0) -> str:
    """The first character, stars, and ``keep_end`` last characters when the value is long enough."""
    if not value:
        return ""
    head = value[:1]
    tail = value[-keep_end:] if keep_end and len(value) > keep_end + 1 else ""
    return head + "*" * max(len(value) - len(head) - len(tail), 1) + tail


def mask_email(email: str) -> str:
    """The local part masked, the domain kept (it names an organisation, not the person)."""
    local, at, domain = email.partition("@")
    return mask_text(local) + at + domain if at else mask_text(email)


def mask_phone(phone: str) -> str:
    """All but the first character and the last two digits masked."""
    return mask_text(phone, keep_end=2)
