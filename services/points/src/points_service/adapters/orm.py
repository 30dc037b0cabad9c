"""Tables of the points database (SQLAlchemy 2 typed rows) and the platform tables.

Point and money amounts are stored as exact integer hundredths (:class:`Hundredths`):
exact on SQLite as on PostgreSQL, and a bigint SUM is the cheapest aggregate for the
daily totals (R-PTS-05).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ppcore.db import UTCDateTime, add_platform_tables, make_metadata
from ppcore.personal_data import LegalBasis

metadata = make_metadata()
platform_tables = add_platform_tables(metadata)

_HUNDRED = Decimal(100)


class Hundredths(sa.types.TypeDecorator[Decimal]):
    """A two-decimal amount kept as an integer count of hundredths."""

    impl = sa.BigInteger()
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else int((Decimal(value) * _HUNDRED).to_integral_value())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / _HUNDRED).quantize(Decimal("0.01"))


class Base(DeclarativeBase):
    metadata = metadata


class LedgerEntryRow(Base):
    """R-PTS-06: append-only; rows are inserted, never updated."""

    __tablename__ = "ledger_entries"

    entry_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))
    source_type: Mapped[str] = mapped_column(sa.String(32))
    source_id: Mapped[str] = mapped_column(sa.String(128))
    amount: Mapped[Decimal] = mapped_column(Hundredths())
    accrued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str] = mapped_column(sa.String(128))
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    note: Mapped[str] = mapped_column(sa.Text(), default="")
    reverses_entry_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    withheld_points: Mapped[Decimal] = mapped_column(Hundredths(), default=Decimal(0))
    withheld_reason: Mapped[str] = mapped_column(sa.Text(), default="")

    __table_args__ = (
        # As-of totals and listings per partner (R-PTS-04/05): on PostgreSQL the covering
        # columns make the one-partner as-of sum an index-only scan.
        sa.Index(
            "ix_ledger_entries_partner_id_accrued_at",
            "partner_id",
            "accrued_at",
            postgresql_include=["expires_at", "amount"],
        ),
        sa.Index("ix_ledger_entries_source_type_source_id", "source_type", "source_id"),
        sa.Index("ix_ledger_entries_reverses_entry_id", "reverses_entry_id"),
        # The daily run (R-PTS-05) reads the entries that start or stop being active between
        # two run instants from these alone.
        sa.Index(
            "ix_ledger_entries_accrued_at", "accrued_at", postgresql_include=["expires_at", "partner_id", "amount"]
        ),
        sa.Index(
            "ix_ledger_entries_expires_at", "expires_at", postgresql_include=["accrued_at", "partner_id", "amount"]
        ),
    )


class OrderRow(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON())
    amount_uah: Mapped[Decimal] = mapped_column(Hundredths())
    # R-NFR-06/08: the sales at the policy's price basis (orders recorded before it: NULL, read as amount_uah).
    sales_uah: Mapped[Decimal | None] = mapped_column(Hundredths(), nullable=True)
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(sa.String(16))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancel_reason: Mapped[str] = mapped_column(sa.Text(), default="")

    __table_args__ = (sa.Index("ix_orders_partner_id_ordered_at", "partner_id", "ordered_at"),)


class ProjectRow(Base):
    __tablename__ = "projects"

    project_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    site_url: Mapped[str] = mapped_column(sa.Text())
    site_key: Mapped[str] = mapped_column(sa.String(512))
    mirror_urls: Mapped[list[str]] = mapped_column(sa.JSON())
    license_key: Mapped[str] = mapped_column(sa.String(128))
    edition_code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.Text(), default="")
    description: Mapped[str] = mapped_column(sa.Text(), default="")
    publish_on_site: Mapped[bool] = mapped_column(sa.Boolean())
    template_design: Mapped[bool] = mapped_column(sa.Boolean())
    joint_partner_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    contract_holder_partner_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_due_date: Mapped[date] = mapped_column(sa.Date())
    submission_count: Mapped[int] = mapped_column(sa.Integer())
    moderator_note: Mapped[str] = mapped_column(sa.Text(), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str] = mapped_column(sa.String(128), default="")
    base_points: Mapped[Decimal | None] = mapped_column(Hundredths(), nullable=True)
    awarded_share: Mapped[Decimal | None] = mapped_column(Hundredths(), nullable=True)
    ledger_entry_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    policy_version: Mapped[str] = mapped_column(sa.String(64), default="")
    # R-PRJ-08: the dispute over its site; R-PRJ-07: the project it is a language version of.
    dispute_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    language_version_of: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)

    __table_args__ = (
        sa.Index("ix_projects_dispute_id", "dispute_id"),
        sa.Index("ix_projects_partner_id_state", "partner_id", "state"),
        sa.Index("ix_projects_state_review_due_date", "state", "review_due_date"),
        sa.Index("ix_projects_license_key", "license_key"),
    )


class ProjectSiteKeyRow(Base):
    """Every canonical site key a project occupies (site, mirrors, aliases), for R-PRJ-05 look-ups."""

    __tablename__ = "project_site_keys"

    site_key: Mapped[str] = mapped_column(sa.String(512), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)

    __table_args__ = (sa.Index("ix_project_site_keys_project_id", "project_id"),)


class ProjectDisputeRow(Base):
    """R-PRJ-05/08: partners' disagreeing claims to one client site, and staff's decision."""

    __tablename__ = "project_disputes"

    dispute_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    site_key: Mapped[str] = mapped_column(sa.String(512))
    state: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text(), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str] = mapped_column(sa.String(128), default="")
    contract_holder_partner_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    evidence: Mapped[str] = mapped_column(sa.Text(), default="")
    policy_version: Mapped[str] = mapped_column(sa.String(64), default="")

    __table_args__ = (sa.Index("ix_project_disputes_state_opened_at", "state", "opened_at"),)


class SiteAliasRow(Base):
    """R-PRJ-05: a staff-declared alias (or mirror) of a site: the same project, refused as a new one."""

    __tablename__ = "site_aliases"

    alias_key: Mapped[str] = mapped_column(sa.String(512), primary_key=True)
    site_key: Mapped[str] = mapped_column(sa.String(512))
    declared_by: Mapped[str] = mapped_column(sa.String(128))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(sa.Text(), default="")


class MonitoringSubmissionRow(Base):
    __tablename__ = "monitoring_submissions"

    submission_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    project_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    site_key: Mapped[str] = mapped_column(sa.String(512))
    license_key: Mapped[str] = mapped_column(sa.String(128))
    edition_code: Mapped[str] = mapped_column(sa.String(64))
    # Personal data of the client (R-PD-03 erases it).
    client_name: Mapped[str] = mapped_column(sa.Text())
    client_phone: Mapped[str] = mapped_column(sa.String(64))
    client_email: Mapped[str] = mapped_column(sa.String(320))
    # Why the client's contact is held (R-PD-01): a ppcore.personal_data.LegalBasis.
    client_legal_basis: Mapped[str] = mapped_column(
        sa.String(32), default=LegalBasis.USER_SERVICES.value, server_default=LegalBasis.USER_SERVICES.value
    )
    test_results: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON())
    state: Mapped[str] = mapped_column(sa.String(16))
    survey_scores: Mapped[dict[str, int]] = mapped_column(sa.JSON())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    surveyed_by: Mapped[str] = mapped_column(sa.String(128), default="")
    ledger_entry_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)

    __table_args__ = (
        sa.Index("ix_monitoring_submissions_partner_id_state", "partner_id", "state"),
        sa.Index("ix_monitoring_submissions_site_key", "site_key"),
        sa.Index("ix_monitoring_submissions_client_email", "client_email"),
        sa.Index("ix_monitoring_submissions_client_phone", "client_phone"),
    )


class PointRequestRow(Base):
    __tablename__ = "point_requests"

    point_request_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    category: Mapped[str] = mapped_column(sa.String(64))
    requested_points: Mapped[Decimal] = mapped_column(Hundredths())
    evidence_description: Mapped[str] = mapped_column(sa.Text())
    evidence_links: Mapped[list[str]] = mapped_column(sa.JSON())
    state: Mapped[str] = mapped_column(sa.String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_date: Mapped[date] = mapped_column(sa.Date())
    granted_points: Mapped[Decimal] = mapped_column(Hundredths(), default=Decimal(0))
    decision_reason: Mapped[str] = mapped_column(sa.Text(), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str] = mapped_column(sa.String(128), default="")
    ledger_entry_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # R-PTS-03: when the partner gave notice of its intention to take part in the event.
    event_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        sa.Index("ix_point_requests_partner_id_state", "partner_id", "state"),
        sa.Index("ix_point_requests_state_due_date", "state", "due_date"),
    )


class RefusePointsSanctionRow(Base):
    """R-PTS-07: refuse-points sanctions told by compliance (SanctionApplied / SanctionLifted)."""

    __tablename__ = "refuse_points_sanctions"

    sanction_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reason: Mapped[str] = mapped_column(sa.Text(), default="")


class KnownPartnerRow(Base):
    """Partners as told by status (PartnerApproved / PartnerTerminated): points' local copy."""

    __tablename__ = "known_partners"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    company_name: Mapped[str] = mapped_column(sa.Text(), default="")
    terminated_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)


class DailyTotalRow(Base):
    """R-PTS-05: a partner's active total at 23:00 Kyiv of a business date, and the previous one.

    A row is stored only on the dates the total changed, so a partner's total on a computed
    date is its latest row on or before that date (zero without one).
    """

    __tablename__ = "daily_totals"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    business_date: Mapped[date] = mapped_column(sa.Date(), primary_key=True)
    total_points: Mapped[Decimal] = mapped_column(Hundredths())
    previous_points: Mapped[Decimal] = mapped_column(Hundredths())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_version: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (
        # A run folds its own date's rows into active_totals.
        sa.Index("ix_daily_totals_business_date_partner_id", "business_date", "partner_id"),
    )


class ActiveTotalRow(Base):
    """R-PTS-05: each partner's total as of the latest computed date, which the next run compares with."""

    __tablename__ = "active_totals"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    total_points: Mapped[Decimal] = mapped_column(Hundredths())
    business_date: Mapped[date] = mapped_column(sa.Date())

    # Every run updates thousands of rows in place; free room on each page lets PostgreSQL
    # keep the new version on the same page without touching the index (HOT updates).
    __table_args__ = {"postgresql_with": {"fillfactor": 70}}


class DailyTotalRunRow(Base):
    """One row per computed business date: a second run for the date finds it and changes nothing."""

    __tablename__ = "daily_total_runs"

    business_date: Mapped[date] = mapped_column(sa.Date(), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    partner_count: Mapped[int] = mapped_column(sa.Integer())
    changed_count: Mapped[int] = mapped_column(sa.Integer())
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Every ledger entry recorded after this run is in daily_totals_pending (points_0008), so
    # the next run may start from this one's totals.
    pending_tracked: Mapped[bool] = mapped_column(sa.Boolean(), server_default=sa.false())


class DailyTotalPendingRow(Base):
    """A ledger entry recorded since a daily run last took the pending ones (R-PTS-05).

    Filled by the trigger ``ledger_entries_pending_totals`` (points_0008), never by the code:
    every writer of the ledger is counted. A run marks the rows it takes with its business
    date and deletes them in its own transaction.
    """

    __tablename__ = "daily_totals_pending"

    entry_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    accrued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by_run: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
