"""Tables of the compliance database (SQLAlchemy 2 typed rows) and the platform tables.

Enums are stored as their names (strings), prices as decimal strings (exact on SQLite
too), lists as JSON. Every timestamp is a :class:`UTCDateTime`; program dates are Dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ppcore.db import UTCDateTime, add_platform_tables, make_metadata

metadata = make_metadata()
platform_tables = add_platform_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class PartnerRow(Base):
    """The partners the status service approved: a local copy kept from its events."""

    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    terminated_on: Mapped[date | None] = mapped_column(sa.Date())


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        sa.Index("ix_cases_opened_time", "opened_time", "case_id"),
        sa.Index("ix_cases_partner_id_opened_time", "partner_id", "opened_time"),
        sa.Index("ix_cases_state", "state"),
    )

    case_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    violation_type: Mapped[str] = mapped_column(sa.String(32))
    mystery_shopper_kind: Mapped[str | None] = mapped_column(sa.String(64))
    violation_date: Mapped[date] = mapped_column(sa.Date())
    state: Mapped[str] = mapped_column(sa.String(32))
    opened_by: Mapped[str] = mapped_column(sa.String(128))
    opened_time: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    # R-PRC-02: one dumping incident per order; set only on cases the price check opened.
    incident_order_id: Mapped[str | None] = mapped_column(sa.String(128), unique=True)

    evidence_description: Mapped[str] = mapped_column(sa.Text())
    evidence_references: Mapped[list[str]] = mapped_column(sa.JSON())
    evidence_file_hashes: Mapped[list[str]] = mapped_column(sa.JSON())
    evidence_observed_price_uah: Mapped[str | None] = mapped_column(sa.String(32))
    evidence_list_price_uah: Mapped[str | None] = mapped_column(sa.String(32))
    evidence_answer_wait_seconds: Mapped[int | None] = mapped_column(sa.Integer())
    evidence_rebate_uah: Mapped[str | None] = mapped_column(sa.String(32))
    evidence_free_extras: Mapped[str] = mapped_column(sa.Text(), server_default="")
    evidence_order_id: Mapped[str] = mapped_column(sa.String(128))
    evidence_edition_code: Mapped[str] = mapped_column(sa.String(64))

    decision_confirmed: Mapped[bool | None] = mapped_column(sa.Boolean())
    decision_reason: Mapped[str | None] = mapped_column(sa.Text())
    decided_by: Mapped[str | None] = mapped_column(sa.String(128))
    decided_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_policy_version: Mapped[str | None] = mapped_column(sa.String(64))

    appeal_statement: Mapped[str | None] = mapped_column(sa.Text())
    appeal_filed_by: Mapped[str | None] = mapped_column(sa.String(128))
    appeal_filed_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appeal_deadline_date: Mapped[date | None] = mapped_column(sa.Date())
    appeal_upheld: Mapped[bool | None] = mapped_column(sa.Boolean())
    appeal_reason: Mapped[str | None] = mapped_column(sa.Text())
    appeal_decided_by: Mapped[str | None] = mapped_column(sa.String(128))
    appeal_decided_time: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SanctionRow(Base):
    __tablename__ = "sanctions"
    __table_args__ = (
        sa.Index("ix_sanctions_partner_id_start_date", "partner_id", "start_date"),
        sa.Index("ix_sanctions_case_id", "case_id"),
        # The lift job: applied sanctions by end date.
        sa.Index("ix_sanctions_state_end_date", "state", "end_date"),
        sa.Index("ix_sanctions_kind_start_date", "kind", "start_date"),
    )

    sanction_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    case_id: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("cases.case_id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    start_date: Mapped[date] = mapped_column(sa.Date())
    end_date: Mapped[date | None] = mapped_column(sa.Date())
    target_tier: Mapped[str | None] = mapped_column(sa.String(16))
    competency_codes: Mapped[list[str]] = mapped_column(sa.JSON())
    nfr_key_ids: Mapped[list[str]] = mapped_column(sa.JSON())
    applied_by: Mapped[str] = mapped_column(sa.String(128))
    applied_time: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16))
    lift_reason: Mapped[str | None] = mapped_column(sa.String(32))
    lift_note: Mapped[str | None] = mapped_column(sa.Text())
    lifted_by: Mapped[str | None] = mapped_column(sa.String(128))
    lifted_time: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ControlPurchaseRow(Base):
    __tablename__ = "control_purchases"
    __table_args__ = (sa.Index("ix_control_purchases_partner_id", "partner_id"),)

    purchase_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    edition_code: Mapped[str] = mapped_column(sa.String(64))
    paid_price_uah: Mapped[str] = mapped_column(sa.String(32))
    list_price_uah: Mapped[str] = mapped_column(sa.String(32))
    purchased_date: Mapped[date] = mapped_column(sa.Date())
    evidence_description: Mapped[str] = mapped_column(sa.Text())
    evidence_references: Mapped[list[str]] = mapped_column(sa.JSON())
    evidence_file_hashes: Mapped[list[str]] = mapped_column(sa.JSON())
    case_id: Mapped[str] = mapped_column(sa.String(64))
    recorded_by: Mapped[str] = mapped_column(sa.String(128))
    recorded_time: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_version: Mapped[str] = mapped_column(sa.String(64))


class AgreedDiscountRow(Base):
    """Discounts the vendor agreed (R-PRC-01, 10.6), read only when a price is below list."""

    __tablename__ = "agreed_discounts"
    __table_args__ = (sa.Index("ix_agreed_discounts_valid_until", "valid_until"),)

    agreed_discount_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    description: Mapped[str] = mapped_column(sa.Text())
    vendor_reference: Mapped[str] = mapped_column(sa.Text())
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    product_code: Mapped[str] = mapped_column(sa.String(64))
    sale_kind: Mapped[str | None] = mapped_column(sa.String(32))
    max_discount_percent: Mapped[str] = mapped_column(sa.String(16))
    valid_from: Mapped[date] = mapped_column(sa.Date())
    valid_until: Mapped[date] = mapped_column(sa.Date())
    recorded_by: Mapped[str] = mapped_column(sa.String(128))
    recorded_time: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_version: Mapped[str] = mapped_column(sa.String(64))
    ended_by: Mapped[str] = mapped_column(sa.String(128), server_default="")
    ended_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str] = mapped_column(sa.Text(), server_default="")


class PersonalDataRequestRow(Base):
    __tablename__ = "personal_data_requests"
    __table_args__ = (
        # R-PD-05: the overdue list reads open requests by due date.
        sa.Index("ix_personal_data_requests_state_due_date", "state", "due_date"),
    )

    pd_request_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    partner_id: Mapped[str] = mapped_column(sa.String(64))
    subject_login: Mapped[str] = mapped_column(sa.String(255))
    subject_email: Mapped[str] = mapped_column(sa.String(255))
    subject_phone: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text())
    received_date: Mapped[date] = mapped_column(sa.Date())
    due_date: Mapped[date] = mapped_column(sa.Date())
    state: Mapped[str] = mapped_column(sa.String(16))
    opened_by: Mapped[str] = mapped_column(sa.String(128))
    opened_time: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_by: Mapped[str] = mapped_column(sa.String(128))
    completed_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completion_note: Mapped[str] = mapped_column(sa.Text())
    subject_fingerprint: Mapped[str] = mapped_column(sa.String(80))
    # R-PD-01: the legal basis the person's identifiers are held on.
    legal_basis: Mapped[str] = mapped_column(sa.String(32), server_default="LEGAL_OBLIGATION")
    policy_version: Mapped[str] = mapped_column(sa.String(64))


def copy_onto(row: Any, values: dict[str, Any]) -> None:
    """Set the columns of an existing row (repositories update rows in place)."""
    for name, value in values.items():
        setattr(row, name, value)
