"""The status engine: automatic upgrade, yearly confirmation or loss, sanction downgrade (R-STS-04/05/07).

``evaluate_status`` runs on every relevant event (a new daily total, a monitoring
completion, a certificate or employee change, a sanction) and daily for anniversaries.
Mid-year, a partner below its thresholds keeps its status; only a sanction lowers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition
from ppcore.policy import ProgramPolicy, Tier
from status_service.domain.competency_decisions import announce_shown_changes, shown_competencies
from status_service.domain.enums import StatusChangeReason
from status_service.domain.events import StatusChanged, StatusConfirmed
from status_service.domain.partner import Partner
from status_service.domain.status_record import StatusHistoryEntry, StatusRecord
from status_service.domain.status_rules import (
    StatusChecklist,
    StatusFacts,
    gather_status_facts,
    highest_tier_met,
    status_checklist,
)

# Catch-up limit for anniversaries missed while the service was down.
_MAX_YEARS_CATCH_UP = 100


def _capped(tier: Tier, cap: Tier | None) -> Tier:
    return tier if cap is None or tier.rank <= cap.rank else cap


def _change(
    partner: Partner,
    record: StatusRecord,
    reason: StatusChangeReason,
    now: datetime,
    policy: ProgramPolicy,
    *,
    sanction_id: str = "",
) -> StatusHistoryEntry:
    previous = partner.status
    shown_before = shown_competencies(partner, policy)
    partner.status = record
    entry = StatusHistoryEntry(
        partner.partner_id,
        previous.tier,
        record.tier,
        now,
        reason,
        policy.version,
        record.granted_date,
        record.valid_until_date,
        sanction_id,
    )
    partner.history.append(entry)
    if reason is StatusChangeReason.CONFIRMATION:
        assert record.valid_until_date is not None  # only Certified and Gold are confirmed
        partner.record(
            StatusConfirmed(
                partner_id=partner.partner_id,
                occurred_time=now,
                tier=record.tier,
                granted_date=record.granted_date,
                valid_until_date=record.valid_until_date,
                policy_version=policy.version,
            )
        )
    else:
        partner.record(
            StatusChanged(
                partner_id=partner.partner_id,
                occurred_time=now,
                from_tier=previous.tier,
                to_tier=record.tier,
                reason=reason,
                granted_date=record.granted_date,
                valid_until_date=record.valid_until_date,
                discount_percent=policy.discount_percent(record.tier),
                policy_version=policy.version,
                sanction_id=sanction_id,
            )
        )
    # R-CMP-02: losing Gold suspends the competencies that require it; regaining it resumes them.
    announce_shown_changes(partner, shown_before, now, policy, reason=f"status {record.tier}")
    return entry


def partner_status_facts(
    partner: Partner, courses: Mapping[str, frozenset[str]], today: date, policy: ProgramPolicy
) -> StatusFacts:
    """The partner's figures for the status conditions; ``courses`` maps logins to active courses."""
    return gather_status_facts(
        active_points=partner.active_points,
        attached_logins=partner.roster.logins(),
        courses=courses,
        monitoring_completion_dates=partner.monitoring_completions.values(),
        today=today,
        policy=policy,
    )


def evaluate_status(
    partner: Partner, facts: StatusFacts, now: datetime, policy: ProgramPolicy
) -> list[StatusHistoryEntry]:
    """Apply whatever the facts and the calendar call for today; the new history entries."""
    today = kyiv_date(now)
    if partner.is_terminated(today):
        return []
    validity = policy.statuses.validity_months
    restrictions = partner.restrictions(today)
    entries: list[StatusHistoryEntry] = []

    # R-SAN-02: a downgrade sanction in force caps the status, also one that starts later than recorded.
    if restrictions.tier_cap is not None and partner.status.tier.rank > restrictions.tier_cap.rank:
        sanction_id = next(
            (s.sanction_id for s in partner.sanctions.values() if s.target_tier is restrictions.tier_cap), ""
        )
        record = StatusRecord.grant(restrictions.tier_cap, now, validity)
        entries.append(_change(partner, record, StatusChangeReason.SANCTION, now, policy, sanction_id=sanction_id))

    # R-STS-04: a higher status is assigned as soon as its conditions hold; Business may jump to Gold.
    reachable = _capped(highest_tier_met(facts, policy), restrictions.tier_cap)
    if reachable.rank > partner.status.tier.rank:
        entries.append(
            _change(partner, StatusRecord.grant(reachable, now, validity), StatusChangeReason.UPGRADE, now, policy)
        )
        return entries

    # R-STS-05: at each anniversary, confirm for another year or fall to the highest status still met.
    for _ in range(_MAX_YEARS_CATCH_UP):
        current = partner.status
        if not current.anniversary_reached(today):
            break
        anniversary = current.valid_until_date
        assert anniversary is not None
        kept = _capped(highest_tier_met(facts, policy, for_keeping=True), restrictions.tier_cap)
        if kept.rank >= current.tier.rank:
            entries.append(_change(partner, current.confirmed(validity), StatusChangeReason.CONFIRMATION, now, policy))
        else:
            record = StatusRecord.grant(kept, now, validity, on=anniversary)
            entries.append(_change(partner, record, StatusChangeReason.ANNIVERSARY_LOSS, now, policy))
    return entries


def downgrade_by_sanction(
    partner: Partner, target: Tier, sanction_id: str, now: datetime, policy: ProgramPolicy
) -> StatusHistoryEntry | None:
    """The one way a status falls mid-year (R-SAN-02, R-STS-05); None when already at or below ``target``."""
    if partner.status.tier.rank <= target.rank:
        return None
    record = StatusRecord.grant(target, now, policy.statuses.validity_months)
    return _change(partner, record, StatusChangeReason.SANCTION, now, policy, sanction_id=sanction_id)


def record_active_points(partner: Partner, total: int, as_of: date) -> bool:
    """Keep the newest daily total from points (R-PTS-05); older or repeated totals are ignored."""
    if partner.active_points_date is not None and as_of < partner.active_points_date:
        return False
    partner.active_points = total
    partner.active_points_date = as_of
    return True


@dataclass(frozen=True)
class StatusView:
    """What the cabinet shows (R-CARD-04) plus the checklist (R-STS-04/05)."""

    partner_id: str
    tier: Tier
    granted_date: date
    valid_until_date: date | None
    discount_percent: int
    active_points: int
    certified_specialists: int
    checklist: StatusChecklist
    policy_version: str


def status_view(partner: Partner, facts: StatusFacts, policy: ProgramPolicy) -> StatusView:
    return StatusView(
        partner_id=partner.partner_id,
        tier=partner.status.tier,
        granted_date=partner.status.granted_date,
        valid_until_date=partner.status.valid_until_date,
        discount_percent=policy.discount_percent(partner.status.tier),
        active_points=facts.active_points,
        certified_specialists=facts.certified_for_certified,
        checklist=status_checklist(partner.status.tier, facts, policy),
        policy_version=policy.version,
    )


@dataclass(frozen=True)
class StatusCertificate:
    """The downloadable partner certificate of the current status (R-STS-08)."""

    partner_id: str
    company_name: str
    tier: Tier
    granted_date: date
    valid_until_date: date | None
    issued_date: date


def status_certificate(partner: Partner, today: date) -> StatusCertificate:
    """Issued only for the status held now, so a partner cannot show one it lacks (R-STS-07/08)."""
    if partner.is_terminated(today):
        raise FailedPrecondition(
            reason="PARTNER_TERMINATED",
            message=f"partner {partner.partner_id} is terminated; no status certificate is issued (R-STS-08)",
            rule="R-STS-08",
        )
    status = partner.status
    return StatusCertificate(
        partner.partner_id, partner.company_name, status.tier, status.granted_date, status.valid_until_date, today
    )
