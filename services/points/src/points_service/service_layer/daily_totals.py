"""Daily active totals (R-PTS-05): one set-based run per business date, safe to repeat.

A run starts from the previous run's totals and reads only what moved since (see
:mod:`points_service.adapters.daily_totals_store`); the first run reads the whole ledger.
"""

from __future__ import annotations

from datetime import date, datetime

from points_service.adapters.daily_totals_store import StoredRun, StoredTotal
from points_service.adapters.uow import PointsUnitOfWork
from points_service.domain.amounts import ZERO
from points_service.domain.daily_totals import business_date_of_run, totals_instant
from points_service.domain.events import ActiveTotalChanged, DailyTotalsCompleted
from points_service.service_layer.common import require_known_partner
from ppcore.errors import FailedPrecondition, not_found
from ppcore.metrics import job_run
from ppcore.policy import ProgramPolicy


async def run_daily_totals(
    uow: PointsUnitOfWork, business_date: date | None, *, now: datetime, policy: ProgramPolicy
) -> StoredRun:
    """Take every partner's active total at 23:00 Kyiv of the date; store and announce the changed ones.

    A date already computed is answered from what was stored (no change, no events). Dates
    are computed in order, each against the previous run, so an earlier date than the
    latest run is refused rather than rewriting history.
    """
    day = business_date or business_date_of_run(now, policy)
    at = totals_instant(day, policy)
    if at > now:
        raise FailedPrecondition(
            reason="DAILY_TOTALS_NOT_DUE",
            message=f"business_date: the totals of {day} are taken at {at.isoformat()}, which is still ahead (R-PTS-05)",
            rule="R-PTS-05",
        )
    with job_run("daily_totals", business_date=day.isoformat()) as job:
        run = await _run_once(uow, day, at, now=now, policy=policy)
        job.counts.update(partner_count=run.partner_count, changed_count=run.changed_count)
    return run


async def _run_once(
    uow: PointsUnitOfWork, day: date, at: datetime, *, now: datetime, policy: ProgramPolicy
) -> StoredRun:
    await uow.daily_totals.lock_runs()
    done = await uow.daily_totals.run_for(day)
    if done is not None:
        return done
    latest = await uow.daily_totals.latest_run()
    if latest is not None and latest.business_date > day:
        raise FailedPrecondition(
            reason="DAILY_TOTALS_OUT_OF_ORDER",
            message=(
                f"business_date: totals are computed in date order and {latest.business_date} is computed already"
                " (R-PTS-05)"
            ),
            rule="R-PTS-05",
        )
    await uow.daily_totals.claim_pending(day)
    if latest is not None and latest.pending_tracked and latest.computed_at < at:
        # The ledger is append-only (R-PTS-06): what moved since the previous run is enough.
        changes = await uow.daily_totals.changes_since(latest.computed_at, at, day)
    else:
        changes = await uow.daily_totals.changes_at(at)
    await uow.daily_totals.drop_claimed(day)
    await uow.daily_totals.record_changes(day, changes, at=at, policy_version=policy.version)
    uow.emit(
        ActiveTotalChanged(
            partner_id=c.partner_id,
            business_date=day,
            total=c.total,
            previous_total=c.previous,
            computed_at=at,
            policy_version=policy.version,
        )
        for c in changes
    )
    # After the date's changes, in the same transaction: consumers that read the totals (status's
    # daily review) know the date is complete once this arrives (per-stream order, one at a time).
    uow.emit([DailyTotalsCompleted(day, len(changes), at, policy.version)])
    dropped_to_zero = sum(1 for c in changes if c.total == 0)
    run = StoredRun(
        business_date=day,
        computed_at=at,
        partner_count=await uow.daily_totals.partners_with_points() + dropped_to_zero,
        changed_count=len(changes),
        policy_version=policy.version,
    )
    uow.daily_totals.record_run(run, ran_at=now)
    return run


async def daily_total(uow: PointsUnitOfWork, partner_id: str, business_date: date | None) -> StoredTotal:
    """A partner's total on a computed date (the latest computed when None); zero when it had no points."""
    run = await (uow.daily_totals.run_for(business_date) if business_date else uow.daily_totals.latest_run())
    if run is None:
        raise not_found("daily total", f"of partner {partner_id}" + (f" on {business_date}" if business_date else ""))
    total = await uow.daily_totals.total_on(partner_id, run.business_date)
    if total is None:
        # No stored change for the partner: zero if points knows it, NOT_FOUND otherwise.
        await require_known_partner(uow, partner_id)
    return StoredTotal(partner_id, run.business_date, total or ZERO, run.computed_at, run.policy_version)
