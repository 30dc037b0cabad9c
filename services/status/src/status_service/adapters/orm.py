"""Tables of the status database (SQLAlchemy 2 typed rows) and the platform tables.

The partner aggregate is stored as one ``partners`` row: the columns that queries filter
on, plus ``document`` (JSON) for its small value parts (card, contract, termination,
sanctions, competencies, monitoring completions). Logins, certificates, applications and
the status history have rows of their own because they are looked up or listed on their
own. ``entitlements`` is the denormalised read table of the discount check (R-ENT-01):
one row per login and one per partner, rewritten in the same transaction as every change
that affects it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ppcore.db import UTCDateTime, add_platform_tables, make_metadata
from ppcore.personal_data import LegalBasis

metadata = make_metadata()
platform_tables = add_platform_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class ApplicationRow(Base):
    __tablename__ = "applications"

    application_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    applicant_login: Mapped[str] = mapped_column(sa.String(255), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_note: Mapped[str] = mapped_column(sa.Text, default="")
    partner_id: Mapped[str] = mapped_column(sa.String(64), default="")


class PartnerRow(Base):
    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(sa.String(64))
    company_name: Mapped[str] = mapped_column(sa.String(255))
    legal_form: Mapped[str] = mapped_column(sa.String(32))
    city: Mapped[str] = mapped_column(sa.String(255), index=True)
    # canonical_city of the partner's city for leads (its card's office, R-LEAD-01): the
    # city filter matches any spelling of one place.
    city_key: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    approved_date: Mapped[date] = mapped_column(sa.Date)
    tier: Mapped[str] = mapped_column(sa.String(16), index=True)
    granted_date: Mapped[date] = mapped_column(sa.Date)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    confirmations: Mapped[int] = mapped_column(sa.Integer, default=0)
    active_points: Mapped[int] = mapped_column(sa.Integer, default=0)
    active_points_date: Mapped[date | None] = mapped_column(sa.Date)
    # First day terminated; the daily job completes terminations due on it.
    terminated_from: Mapped[date | None] = mapped_column(sa.Date, index=True)
    termination_completed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    has_sanctions: Mapped[bool] = mapped_column(sa.Boolean, default=False, index=True)
    # ",CODE_A,CODE_B," so that a competency filter is a portable LIKE (R-CMP-04).
    competency_codes: Mapped[str] = mapped_column(sa.String(512), default=",")
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    # Why the card's contacts are held (R-PD-01): a ppcore.personal_data.LegalBasis.
    contacts_legal_basis: Mapped[str] = mapped_column(
        sa.String(32), default=LegalBasis.PARTIES_AGREEMENTS.value, server_default=LegalBasis.PARTIES_AGREEMENTS.value
    )


class EmployeeRow(Base):
    __tablename__ = "employees"

    # One card per login (R-EMP-06): the login is the key.
    login: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("partners.partner_id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    access_groups: Mapped[str] = mapped_column(sa.String(128), default="")
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Why the login is held (R-PD-01): a ppcore.personal_data.LegalBasis.
    legal_basis: Mapped[str] = mapped_column(
        sa.String(32), default=LegalBasis.PARTIES_AGREEMENTS.value, server_default=LegalBasis.PARTIES_AGREEMENTS.value
    )


class CertificateRow(Base):
    __tablename__ = "certificates"

    certificate_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(255), index=True)
    course_code: Mapped[str] = mapped_column(sa.String(64))
    issued_date: Mapped[date] = mapped_column(sa.Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str] = mapped_column(sa.Text, default="")


class StatusHistoryRow(Base):
    __tablename__ = "status_history"
    __table_args__ = (sa.Index("ix_status_history_partner_id_seq", "partner_id", "seq"),)

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    from_tier: Mapped[str | None] = mapped_column(sa.String(16))
    to_tier: Mapped[str] = mapped_column(sa.String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.String(32))
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    granted_date: Mapped[date] = mapped_column(sa.Date)
    valid_until_date: Mapped[date | None] = mapped_column(sa.Date)
    sanction_id: Mapped[str] = mapped_column(sa.String(64), default="")


# What the entitlements table's triggers notify with the buyer keys a statement changed
# (migration status_0008; ppcore.notified_cache).
ENTITLEMENTS_CHANNEL = "pp_entitlements_changed"


class EntitlementRow(Base):
    """The discount check's read table: ``buyer_key`` is ``l:<login>`` or ``p:<partner_id>``."""

    __tablename__ = "entitlements"

    buyer_key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    tier: Mapped[str] = mapped_column(sa.String(16))
    # Empty when the partner itself is the buyer.
    role: Mapped[str] = mapped_column(sa.String(32), default="")
    terminated_from: Mapped[date | None] = mapped_column(sa.Date)
    contract_accepted: Mapped[bool] = mapped_column(sa.Boolean)
    contract_suspended: Mapped[bool] = mapped_column(sa.Boolean)
    discount_blocked: Mapped[bool] = mapped_column(sa.Boolean)
    blocked_until: Mapped[date | None] = mapped_column(sa.Date)


class LeadRow(Base):
    """A site-development lead and its moderation (R-LEAD-01); offers are ``lead_offers``."""

    __tablename__ = "leads"

    lead_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(16), index=True)
    city: Mapped[str] = mapped_column(sa.String(255))
    # The canonical place (R-LEAD-01): "Київ", "м. Київ" and "Kyiv" share one key.
    city_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    moderated_by: Mapped[str] = mapped_column(sa.String(255), default="")
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderation_note: Mapped[str] = mapped_column(sa.Text, default="")
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_by_partner_id: Mapped[str] = mapped_column(sa.String(64), default="")
    taken_by_login: Mapped[str] = mapped_column(sa.String(255), default="")


class LeadOfferRow(Base):
    """A lead offered to one partner, and the partner's answer (R-LEAD-01/02)."""

    __tablename__ = "lead_offers"

    lead_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)
    delivery: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16))
    login: Mapped[str] = mapped_column(sa.String(255), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PointsTotalsReceivedRow(Base):
    """A business date whose daily totals points announced in full (DailyTotalsCompleted, R-PTS-05)."""

    __tablename__ = "points_totals_received"

    business_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PolicyVersionRow(Base):
    """A policy version registered ahead of its effective date (R-POL-01); the document is the full text."""

    __tablename__ = "policy_versions"

    version: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    effective_date: Mapped[date] = mapped_column(sa.Date, index=True)
    document: Mapped[str] = mapped_column(sa.Text)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_by: Mapped[str] = mapped_column(sa.String(255), default="")
