"""The daily review: anniversaries (R-STS-05), due terminations (R-PRT-07), ended sanctions (R-SAN-01).

Idempotent per day: re-running it changes nothing more. One transaction per partner, so
one bad partner never holds back the others and locks stay short. The embedded scheduler
starts a date's review only once points' totals it reads are in (``await_points_totals``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa

from ppcore.clock import kyiv_date, kyiv_datetime
from ppcore.errors import FailedPrecondition
from ppcore.metrics import job_run
from ppcore.policy import ProgramPolicy
from ppcore.scheduler import latest_slot
from status_service.adapters.orm import PartnerRow
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.policy_versions import policy_in_force, switches_on
from status_service.domain.review import review_partner
from status_service.service_layer.common import courses_of, save


async def run_daily_review(uow_factory: Callable[[], StatusUnitOfWork], now: datetime, policy: ProgramPolicy) -> int:
    """Review every partner something is due for today under the policy in force today; how many were reviewed.

    ``policy`` is the policy file; a version scheduled for today or earlier replaces it (R-POL-01).
    """
    today = kyiv_date(now)
    due = sa.or_(
        PartnerRow.valid_until_date <= today,
        sa.and_(PartnerRow.terminated_from <= today, PartnerRow.termination_completed.is_(False)),
        PartnerRow.has_sanctions.is_(True),
    )
    with job_run("status_review", business_date=today.isoformat()) as run:
        async with uow_factory() as uow:
            scheduled = await uow.policy_versions.every()
            # R-POL-01: the version in force today decides; the day one takes effect, everyone is re-decided.
            policy = policy_in_force(policy, scheduled, today)
            partner_ids = await uow.partners.ids(where=None if switches_on(scheduled, today) else due)
        for done, partner_id in enumerate(partner_ids, start=1):
            async with uow_factory() as uow:
                partner = await uow.partners.get(partner_id, for_update=True)
                if partner is None:
                    continue
                review_partner(partner, await courses_of(uow, partner), now, policy)
                await save(uow, partner, now)
                await uow.commit()
            run.progress(done, len(partner_ids))
        run.counts["reviewed_partners"] = len(partner_ids)
    return len(partner_ids)


def totals_read_by_review(day: date, review_hour: int, review_minute: int, policy: ProgramPolicy) -> date:
    """The date of the last points totals (23:00 Kyiv) taken before ``day``'s review hour:
    the totals that review must see (with the defaults, the evening before)."""
    hour, minute = policy.points.daily_total_hour_minute
    return latest_slot(kyiv_datetime(day, review_hour, review_minute), hour, minute)


async def await_points_totals(
    uow_factory: Callable[[], StatusUnitOfWork], needed: date, *, wait_seconds: float, poll_seconds: float = 0.2
) -> None:
    """Return once points' totals of ``needed`` (or a later date) are in; FAILED_PRECONDITION
    after ``wait_seconds`` without them, so the scheduler retries the date and never skips it.

    In one long move of program time every service catches up its own dates side by side;
    this keeps status's review of a date behind the points totals it reads (issue 11).
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        async with uow_factory() as uow:
            latest = await uow.points_totals.latest()
        if latest is not None and latest >= needed:
            return
        if time.monotonic() >= deadline:
            raise FailedPrecondition(
                reason="POINTS_TOTALS_PENDING",
                message=f"the daily totals of {needed.isoformat()} have not reached status yet; the review of the "
                f"next date waits for them (R-PTS-05), last received: {latest.isoformat() if latest else 'none'}",
                rule="R-PTS-05",
            )
        await asyncio.sleep(poll_seconds)  # wall-clock wait for another process, not program time
