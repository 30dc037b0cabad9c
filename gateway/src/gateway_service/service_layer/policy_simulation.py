"""A policy what-if's effect on the public directory (R-POL-01, R-CARD-03).

The status service simulates statuses, discounts, keys and lead reach; the directory's
ranking facts live here, so the gateway ranks every listed partner twice with the one
ranking function: with the weights in force and the statuses the policy in force gives,
and with the candidate's weights and the statuses it gives.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from gateway_service.adapters.uow import GatewayUnitOfWork
from gateway_service.domain.listing import ListedPartner
from gateway_service.domain.ranking import RankingFacts, directory_ranks
from ppcore.policy import ProgramPolicy, Tier

# Enough for every partner of the program in one read (10,000 rows of plain figures).
_ALL = 1_000_000


@dataclass(frozen=True)
class RankChange:
    partner_id: str
    company_name: str
    rank_in_force: int  # 0: not listed
    rank_candidate: int


@dataclass(frozen=True)
class DirectoryEffect:
    ranks: list[RankChange]  # for the partners asked about, in their order
    first_page_size: int
    leaving_first_page: list[RankChange]
    joining_first_page: list[RankChange]


def _facts(row: ListedPartner, tier: Tier | None) -> RankingFacts:
    return RankingFacts(
        tier, row.projects, row.monitored_projects, row.marketing_activity, row.certified_employees, row.active_points
    )


def _listed_tier(row: ListedPartner) -> Tier | None:
    return Tier(row.tier) if row.tier else None


async def directory_effect(
    uow_factory: Callable[[], GatewayUnitOfWork],
    today: date,
    partner_ids: Sequence[str],
    tiers: tuple[Mapping[str, Tier], Mapping[str, Tier]],
    policies: tuple[ProgramPolicy, ProgramPolicy],
    first_page_size: int,
) -> DirectoryEffect:
    """Ranks now and under the candidate. ``tiers`` are the statuses the policy in force and
    the candidate give the partners whose outcome differs (the others keep their status);
    ``policies`` are the policy in force and the candidate (their ranking weights)."""
    async with uow_factory() as uow:
        listed = await uow.directory.listing(today=today, competency_code="", limit=_ALL)
    now, then = (
        directory_ranks(
            ((row.partner_id, _facts(row, given.get(row.partner_id, _listed_tier(row)))) for row in listed),
            policy.ranking,
        )
        for given, policy in zip(tiers, policies, strict=True)
    )
    names = {row.partner_id: row.company_name for row in listed}

    def change(pid: str) -> RankChange:
        return RankChange(pid, names.get(pid, ""), now.get(pid, 0), then.get(pid, 0))

    top_now = {pid for pid, rank in now.items() if rank <= first_page_size}
    top_then = {pid for pid, rank in then.items() if rank <= first_page_size}
    return DirectoryEffect(
        ranks=[change(pid) for pid in partner_ids],
        first_page_size=first_page_size,
        leaving_first_page=sorted((change(p) for p in top_now - top_then), key=lambda c: c.rank_in_force),
        joining_first_page=sorted((change(p) for p in top_then - top_now), key=lambda c: c.rank_candidate),
    )


def csv_with_ranks(status_csv: str, ranks: Sequence[RankChange]) -> str:
    """The status service's CSV (header, then one row per partner in ``ranks``' order) plus
    the two rank columns."""
    rows = list(csv.reader(io.StringIO(status_csv)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if rows:
        writer.writerow([*rows[0], "directory_rank_in_force", "directory_rank_candidate"])
    for row, rank in zip(rows[1:], ranks, strict=True):
        writer.writerow([*row, rank.rank_in_force, rank.rank_candidate])
    return out.getvalue()
