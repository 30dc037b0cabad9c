"""The daily review: anniversaries (R-STS-05), due terminations (R-PRT-07), ended sanctions (R-SAN-01).

Idempotent per day: re-running it changes nothing more. One transaction per partner, so
one bad partner never holds back the others and locks stay short.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from ppcore.clock import kyiv_date
from ppcore.metrics import job_run
from ppcore.policy import ProgramPolicy
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
