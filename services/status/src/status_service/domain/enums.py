"""Closed vocabularies of the status domain."""

from __future__ import annotations

from enum import StrEnum


class LegalForm(StrEnum):
    """Who may apply (R-PRT-01)."""

    LEGAL_ENTITY = "LEGAL_ENTITY"
    SOLE_PROPRIETOR = "SOLE_PROPRIETOR"
    INDIVIDUAL = "INDIVIDUAL"


class Activity(StrEnum):
    """Professional activities that qualify an applicant (R-PRT-01)."""

    WEB_PROJECTS = "WEB_PROJECTS"
    IT_CONSULTING = "IT_CONSULTING"
    HOSTING = "HOSTING"
    SOFTWARE_DISTRIBUTION = "SOFTWARE_DISTRIBUTION"


class ApplicationState(StrEnum):
    UNDER_REVIEW = "UNDER_REVIEW"
    INFO_REQUESTED = "INFO_REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ContractState(StrEnum):
    FILED = "FILED"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"


class TerminationForm(StrEnum):
    """The three ways participation ends (R-PRT-06)."""

    PARTNER_NOTICE = "PARTNER_NOTICE"
    PROGRAM_DECISION = "PROGRAM_DECISION"
    MUTUAL_AGREEMENT = "MUTUAL_AGREEMENT"


class Role(StrEnum):
    """How a login is attached to a partner card (R-EMP-01..04)."""

    MAIN = "MAIN"
    FULL = "FULL"
    LIMITED = "LIMITED"
    CERTIFIED_SPECIALIST = "CERTIFIED_SPECIALIST"


class AccessGroup(StrEnum):
    """Extra access groups (R-EMP-05)."""

    MARKETPLACE = "MARKETPLACE"
    LEADS = "LEADS"


class Permission(StrEnum):
    """What a login may do on the partner site; the answer of "what may this login do"."""

    VIEW_PARTNER_SECTIONS = "VIEW_PARTNER_SECTIONS"
    VIEW_CABINET = "VIEW_CABINET"
    BUY_AT_DISCOUNT = "BUY_AT_DISCOUNT"
    EDIT_CARD = "EDIT_CARD"
    ATTACH_FULL = "ATTACH_FULL"
    ATTACH_LIMITED = "ATTACH_LIMITED"
    ATTACH_CERTIFIED_SPECIALIST = "ATTACH_CERTIFIED_SPECIALIST"
    PARTNER_SUPPORT = "PARTNER_SUPPORT"
    MANAGE_MARKETPLACE_MODULES = "MANAGE_MARKETPLACE_MODULES"
    TAKE_LEADS = "TAKE_LEADS"


class CardItem(StrEnum):
    """Something a card needs before the partner may appear in the public list (R-CARD-01)."""

    PUBLISH_ON_SITE = "PUBLISH_ON_SITE"
    DESCRIPTION = "DESCRIPTION"
    LOGO = "LOGO"
    PHONE = "PHONE"
    OFFICE_ADDRESS = "OFFICE_ADDRESS"
    WEBSITE = "WEBSITE"
    APPROVED_CARD = "APPROVED_CARD"
    NOT_EXCLUDED_BY_SANCTION = "NOT_EXCLUDED_BY_SANCTION"
    ACTIVE_PARTNERSHIP = "ACTIVE_PARTNERSHIP"


class CardRevisionState(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class StatusChangeReason(StrEnum):
    """Why a status changed (R-STS-07 history)."""

    APPROVAL = "APPROVAL"
    UPGRADE = "UPGRADE"
    # Kept in the history although the tier stays: the year was renewed (R-STS-05).
    CONFIRMATION = "CONFIRMATION"
    ANNIVERSARY_LOSS = "ANNIVERSARY_LOSS"
    SANCTION = "SANCTION"


class Condition(StrEnum):
    """A condition of a status (R-STS-02/03)."""

    ACTIVE_POINTS = "ACTIVE_POINTS"
    CERTIFIED_EMPLOYEES = "CERTIFIED_EMPLOYEES"
    MONITORED_PROJECTS = "MONITORED_PROJECTS"


class EntitlementReason(StrEnum):
    """Machine-readable answer of the discount check (R-ENT-01)."""

    ENTITLED = "ENTITLED"
    UNKNOWN_BUYER = "UNKNOWN_BUYER"
    TERMINATED = "TERMINATED"
    CONTRACT_SUSPENDED = "CONTRACT_SUSPENDED"
    DISCOUNT_BLOCKED = "DISCOUNT_BLOCKED"
    CONTRACT_NOT_ACCEPTED = "CONTRACT_NOT_ACCEPTED"
    NO_PURCHASE_RIGHT = "NO_PURCHASE_RIGHT"
    PRODUCT_NOT_ELIGIBLE = "PRODUCT_NOT_ELIGIBLE"


class SanctionKind(StrEnum):
    """Sanctions from compliance that change status-owned state (R-SAN-02/04/05/07/09)."""

    STATUS_DOWNGRADE = "STATUS_DOWNGRADE"
    COMPETENCY_REMOVAL = "COMPETENCY_REMOVAL"
    LEADS_DISCONNECTION = "LEADS_DISCONNECTION"
    PUBLIC_LIST_EXCLUSION = "PUBLIC_LIST_EXCLUSION"
    CABINET_BLOCK = "CABINET_BLOCK"
    DISCOUNT_BLOCK = "DISCOUNT_BLOCK"
    CONTRACT_SUSPENSION = "CONTRACT_SUSPENSION"
    CONTRACT_TERMINATION = "CONTRACT_TERMINATION"


class LeadDelivery(StrEnum):
    """Why a partner may receive a lead (R-LEAD-01)."""

    ANY_CITY = "ANY_CITY"
    OWN_CITY = "OWN_CITY"
    SERVICE_ACCESS = "SERVICE_ACCESS"


class LeadState(StrEnum):
    """A site-development lead on its way to a partner (R-LEAD-01: moderated before distribution)."""

    RECEIVED = "RECEIVED"  # a client placed it; staff have not moderated it yet
    MODERATED = "MODERATED"  # staff approved it for distribution
    REJECTED = "REJECTED"  # staff refused it in moderation (spam, not a site order ...)
    OFFERED = "OFFERED"  # distributed to the partners entitled to it
    TAKEN = "TAKEN"  # a partner's Leads-group employee took it (R-LEAD-02)
    DECLINED = "DECLINED"  # every partner it was offered to declined it


class OfferState(StrEnum):
    """One partner's answer to an offered lead."""

    OPEN = "OPEN"
    TAKEN = "TAKEN"
    DECLINED = "DECLINED"
    CLOSED = "CLOSED"  # another partner took the lead first
