"""The yearly checks (R-NFR-03, R-NFR-06, R-NFR-08), run daily for the Kyiv date."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import (
    CloudNfrPlanChanged,
    CloudNfrRenewed,
    LicensingEvent,
    NfrKeyLapsed,
    NfrKeyRenewed,
)
from licensing_service.service_layer.context import Toolkit, save_and_publish
from licensing_service.service_layer.revocation import apply_due_sanctions
from ppcore.metrics import job_run

# A run late by many years catches up one year per pass; more passes than this is a bug.
_MAX_PASSES = 50


@dataclass(frozen=True)
class RenewalCounts:
    keys_renewed: int = 0
    keys_lapsed: int = 0
    cloud_nfrs_renewed: int = 0
    cloud_nfrs_downgraded: int = 0

    @classmethod
    def of(cls, events: list[LicensingEvent]) -> RenewalCounts:
        return cls(
            keys_renewed=sum(isinstance(e, NfrKeyRenewed) for e in events),
            keys_lapsed=sum(isinstance(e, NfrKeyLapsed) for e in events),
            cloud_nfrs_renewed=sum(isinstance(e, CloudNfrRenewed) for e in events),
            cloud_nfrs_downgraded=sum(isinstance(e, CloudNfrPlanChanged) for e in events),
        )


async def run_yearly_renewals(uow: LicensingUnitOfWork, tools: Toolkit, on: date) -> RenewalCounts:
    """Renew, lapse or downgrade every licence whose year ended by ``on``; idempotent per date.

    Sales are the partner's orders in that licence year (cancelled ones excluded).
    Sanctions starting by ``on`` are applied first, so a withdrawn key is not renewed.
    """
    with job_run("yearly_renewals", run_date=on.isoformat()) as run:
        await apply_due_sanctions(uow, tools, on)
        events: list[LicensingEvent] = []
        partner_ids = await uow.portfolios.partners_with_renewals_due(on)
        for done, partner_id in enumerate(partner_ids, start=1):
            portfolio = await uow.portfolios.get(partner_id)
            for _ in range(_MAX_PASSES):
                due = portfolio.renewals_due(on, tools.policy)
                if not due:
                    break
                for item in due:
                    sales = await uow.sales.total(partner_id, item.sales_from, item.sales_until)
                    portfolio.apply_yearly_check(item, sales, tools.now(), tools.policy)
            events.extend(await save_and_publish(uow, portfolio))
            run.progress(done, len(partner_ids))
        counts = RenewalCounts.of(events)
        run.counts.update(partners=len(partner_ids), **dataclasses.asdict(counts))
    return counts
