"""Tables of the gateway read models (SQLAlchemy 2 typed rows) and the platform tables.

Everything here is rebuilt from the other services' events: the gateway owns nothing
authoritative.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ppcore.db import UTCDateTime, add_platform_tables, make_metadata

metadata = make_metadata()
platform_tables = add_platform_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class DirectoryPartnerRow(Base):
    """One partner of the public directory read model, with its ranking facts and score."""

    __tablename__ = "directory_partners"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    company_name: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    city: Mapped[str] = mapped_column(sa.String(128), default="", server_default="")
    # canonical_city(city): the city filter matches any spelling of one place (R-LEAD-01).
    city_key: Mapped[str] = mapped_column(sa.String(128), default="", server_default="", index=True)
    tier: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    description: Mapped[str] = mapped_column(sa.Text(), default="", server_default="")
    logo_ref: Mapped[str] = mapped_column(sa.String(512), default="", server_default="")
    phone: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    office_address: Mapped[str] = mapped_column(sa.String(512), default="", server_default="")
    website_url: Mapped[str] = mapped_column(sa.String(512), default="", server_default="")
    # R-CARD-01 as published by status, minus the items the gateway tracks itself.
    card_complete: Mapped[bool] = mapped_column(sa.Boolean(), default=False, server_default=sa.false())
    terminated: Mapped[bool] = mapped_column(sa.Boolean(), default=False, server_default=sa.false())
    projects: Mapped[int] = mapped_column(sa.Integer(), default=0, server_default="0")
    monitored_projects: Mapped[int] = mapped_column(sa.Integer(), default=0, server_default="0")
    marketing_activity: Mapped[int] = mapped_column(sa.Integer(), default=0, server_default="0")
    certified_employees: Mapped[int] = mapped_column(sa.Integer(), default=0, server_default="0")
    active_points: Mapped[Decimal] = mapped_column(sa.Numeric(18, 4), default=Decimal(0), server_default="0")
    score: Mapped[float] = mapped_column(sa.Float(), default=0.0, server_default="0")
    score_policy_version: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # The listing: listed partners by score, best first (ties by partner id).
        sa.Index("ix_directory_partners_listing", "card_complete", "terminated", "score", "partner_id"),
    )


class DirectoryCompetencyRow(Base):
    """An active competency badge of a partner (R-CMP-04)."""

    __tablename__ = "directory_competencies"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)

    __table_args__ = (sa.Index("ix_directory_competencies_code", "code", "partner_id"),)


class RankingItemRow(Base):
    """A project, monitored project or marketing activity counted once for the ranking (R-CARD-03)."""

    __tablename__ = "ranking_items"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)


class PartnerLoginRow(Base):
    """A login attached to a partner card; only these logins' certificates count (R-EMP-06)."""

    __tablename__ = "partner_logins"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(255), primary_key=True)

    __table_args__ = (sa.Index("ix_partner_logins_login", "login"),)


class LoginCertificateRow(Base):
    """A course certificate of a login (R-EMP-06)."""

    __tablename__ = "login_certificates"

    certificate_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(255), index=True)
    course_code: Mapped[str] = mapped_column(sa.String(64))
    revoked: Mapped[bool] = mapped_column(sa.Boolean(), default=False, server_default=sa.false())


class PartnerSanctionRow(Base):
    """A sanction the gateway enforces or shows (R-SAN-05/06/07); in force is decided per day."""

    __tablename__ = "partner_sanctions"

    sanction_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(48))
    start_date: Mapped[date] = mapped_column(sa.Date())
    end_date: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    lifted: Mapped[bool] = mapped_column(sa.Boolean(), default=False, server_default=sa.false())

    __table_args__ = (sa.Index("ix_partner_sanctions_partner_id_kind", "partner_id", "kind"),)
