"""Tables of the licensing database (SQLAlchemy 2 typed rows) and the platform tables.

``license_keys`` is the one table ``VerifyKey`` reads: every key, commercial or NFR,
with the facts a verdict needs, under its canonical text as primary key, so a check is
one indexed look-up with no join. NFR grants keep their keys in sync with it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ppcore.db import UTCDateTime, add_platform_tables, make_metadata

metadata = make_metadata()
platform_tables = add_platform_tables(metadata)

ID = sa.String(64)
KEY = sa.String(40)
CODE = sa.String(32)
MONEY = sa.Numeric(14, 2)


class Base(DeclarativeBase):
    metadata = metadata


class LicenseKeyRow(Base):
    """A key and its verification facts (R-NFR-10); ``grant_id`` is set for NFR keys."""

    __tablename__ = "license_keys"

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    kind: Mapped[str] = mapped_column(CODE)
    edition: Mapped[str] = mapped_column(CODE)
    owner_id: Mapped[str] = mapped_column(ID)
    activated: Mapped[bool] = mapped_column(sa.Boolean)
    demo: Mapped[bool] = mapped_column(sa.Boolean)
    revoked: Mapped[bool] = mapped_column(sa.Boolean)
    valid_until: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    grant_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PartnerRow(Base):
    """What licensing knows of a partner from the status events; its row is the portfolio's lock."""

    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    tier: Mapped[str] = mapped_column(CODE, default="")
    terminated: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class GrantRow(Base):
    __tablename__ = "nfr_grants"
    __table_args__ = (
        sa.Index("ix_nfr_grants_partner_id", "partner_id"),
        # Yearly renewals and "expiring in N days" scan active grants by last valid day.
        sa.Index("ix_nfr_grants_state_valid_until", "state", "valid_until"),
    )

    grant_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(CODE)
    entitlement: Mapped[str] = mapped_column(CODE)
    edition: Mapped[str] = mapped_column(CODE)
    key: Mapped[str] = mapped_column(KEY)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(CODE)
    revocation_cause: Mapped[str | None] = mapped_column(CODE, nullable=True)
    edition_changed: Mapped[bool] = mapped_column(sa.Boolean)
    years_renewed: Mapped[int] = mapped_column(sa.Integer)
    site_url: Mapped[str] = mapped_column(sa.String(2048))
    usage_restriction: Mapped[str] = mapped_column(CODE)
    retired_keys: Mapped[list[str]] = mapped_column(sa.JSON)
    site_checked_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    site_requirements_hold: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)


class CloudNfrRow(Base):
    __tablename__ = "cloud_nfrs"
    __table_args__ = (sa.Index("ix_cloud_nfrs_state_valid_until", "state", "valid_until"),)

    cloud_nfr_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID, unique=True)
    portal_domain: Mapped[str] = mapped_column(sa.String(253))
    plan: Mapped[str] = mapped_column(CODE)
    disk_gb: Mapped[int] = mapped_column(sa.Integer)
    custom_domain_allowed: Mapped[bool] = mapped_column(sa.Boolean)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    years_renewed: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(CODE)
    revocation_cause: Mapped[str | None] = mapped_column(CODE, nullable=True)


class HistoryRow(Base):
    """One history entry of a grant or a cloud NFR (``subject_id``), append-only."""

    __tablename__ = "nfr_history"
    __table_args__ = (
        sa.Index("ix_nfr_history_subject_id", "subject_id"),
        sa.Index("ix_nfr_history_partner_id", "partner_id"),
    )

    history_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    subject_id: Mapped[str] = mapped_column(ID)
    partner_id: Mapped[str] = mapped_column(ID)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(CODE)
    reason: Mapped[str] = mapped_column(sa.Text)
    rule: Mapped[str] = mapped_column(CODE)
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(KEY)
    detail: Mapped[str] = mapped_column(CODE)
    valid_until: Mapped[date] = mapped_column(sa.Date)


class EditionChangeRow(Base):
    __tablename__ = "edition_change_requests"
    __table_args__ = (sa.Index("ix_edition_change_requests_partner_id", "partner_id"),)

    change_request_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    grant_id: Mapped[str] = mapped_column(ID)
    from_edition: Mapped[str] = mapped_column(CODE)
    to_edition: Mapped[str] = mapped_column(CODE)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(CODE)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str] = mapped_column(sa.Text)


class KeyRequestRow(Base):
    """A partner's on-request key request, waiting for or decided by staff (R-NFR-04/05)."""

    __tablename__ = "on_request_key_requests"
    __table_args__ = (
        sa.Index("ix_on_request_key_requests_partner_id", "partner_id"),
        sa.Index("ix_on_request_key_requests_state_requested_at", "state", "requested_at"),
    )

    key_request_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    site_url: Mapped[str] = mapped_column(sa.String(2048))
    edition: Mapped[str] = mapped_column(CODE)
    site_on_product: Mapped[bool] = mapped_column(sa.Boolean)
    checklist: Mapped[dict[str, bool]] = mapped_column(sa.JSON)
    original_design: Mapped[bool] = mapped_column(sa.Boolean)
    site_topic: Mapped[str] = mapped_column(CODE)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(CODE)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str] = mapped_column(sa.String(128))
    decision_note: Mapped[str] = mapped_column(sa.Text)
    grant_id: Mapped[str] = mapped_column(ID)


class SaleRow(Base):
    """One order of a partner, from the points service's events (R-NFR-06, R-NFR-08)."""

    __tablename__ = "partner_sales"
    __table_args__ = (sa.Index("ix_partner_sales_partner_id_order_date", "partner_id", "order_date"),)

    order_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    amount_uah: Mapped[Decimal] = mapped_column(MONEY)
    order_date: Mapped[date] = mapped_column(sa.Date)  # Kyiv date of the order
    cancelled: Mapped[bool] = mapped_column(sa.Boolean)


class NfrSanctionRow(Base):
    """An NFR-withdrawal sanction (R-NFR-11): what it names, whether it is in force, what it revoked."""

    __tablename__ = "nfr_sanctions"
    __table_args__ = (sa.Index("ix_nfr_sanctions_state_start_date", "state", "start_date"),)

    sanction_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    targets: Mapped[list[str]] = mapped_column(sa.JSON)  # empty: every key and the cloud NFR
    start_date: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(CODE)  # PENDING, APPLIED, LIFTED
    revoked: Mapped[list[str]] = mapped_column(sa.JSON)  # grant ids and cloud NFR id it revoked
