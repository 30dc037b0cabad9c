"""Faults while a partner's year runs, on two replicas of every service (separate OS
processes on their own ports) against one database per service in a private PostgreSQL
cluster, and NATS as a three-node JetStream cluster on loopback.

- ``test_each_fault_kind_mid_scenario_loses_and_doubles_nothing``: every service killed
  (kill -9, both replicas) and restarted in turn at the moment it matters, all of NATS
  restarted on the same ports and stores, PostgreSQL crashed and restarted; after each,
  the reconciliation holds: 0 differences, 0 lost, 0 doubled.
- ``test_losing_one_replica_of_each_service_and_one_nats_node_changes_nothing``: one
  replica of every service and one NATS node killed mid-scenario; the other replicas
  carry on: nothing lost or doubled, each daily job acts once per date, order per
  partner kept.

The recovery figures (seconds from the restart to the first successful call, and to the
reconciliation holding) are printed and written to var/fault_figures.json."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import nats.errors
import pytest
from e2e_support import eventually, onboard_partner
from fault_suite import FaultSuite, fault_suite, postgres_directory
from reconcile import Findings, directory, reconcile_events, reconcile_partners, reconcile_plumbing
from suites import DAILY_JOBS
from year_support import (
    Stubs,
    approved_project,
    certified_employees,
    checkout_facade,
    client_key,
    next_daily_totals,
    once_known,
    partner_keys,
    publish_card,
    stubs,
)

from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import entitlement_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.clock import add_months, kyiv_date, kyiv_datetime
from ppcore.program_time import read_job_progress
from ppcore.testing.nats import start_cluster
from ppcore.testing.pg_cluster import PG_BIN, PrivatePostgres

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

FIGURES_FILE = Path(__file__).resolve().parents[2] / "var" / "fault_figures.json"
RECONCILE_WITHIN = 180.0  # seconds; generous for a busy 2-core machine


@pytest.fixture(scope="module")
def private_postgres() -> Any:
    """A PostgreSQL cluster of the module's own (never the machine's shared one), so it may crash."""
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL binaries not found in {PG_BIN}"
        if os.environ.get("PP_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    pg = PrivatePostgres(postgres_directory())
    pg.init()
    pg.start()
    yield pg
    pg.stop()
    shutil.rmtree(pg.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def nats_cluster(tmp_path_factory: pytest.TempPathFactory) -> Any:
    nodes = start_cluster(tmp_path_factory.mktemp("nats-cluster"))
    yield nodes
    for node in nodes:
        node.stop()


@pytest.fixture(scope="module")
async def replicated(tmp_path_factory, private_postgres, nats_cluster):
    async with fault_suite(tmp_path_factory.mktemp("faults"), private_postgres, nats_cluster, replicas=2) as suite:
        yield suite


@dataclass
class Figure:
    fault: str
    differences: int
    lost: int
    doubled: int
    first_call_seconds: float
    reconciled_seconds: float
    republished_events: int
    details: list[str] = field(default_factory=list)


@dataclass
class Recorder:
    """Measures recovery after each fault and keeps the figures for the report."""

    suite: FaultSuite
    s: Stubs
    partners: list[str] = field(default_factory=list)
    carded: set[str] = field(default_factory=set)
    figures: list[Figure] = field(default_factory=list)

    def follow(self, partner_id: str) -> str:
        """Reconcile this partner from now on (it has, or is about to have, a public card)."""
        self.partners.append(partner_id)
        self.carded.add(partner_id)
        return partner_id

    async def findings(self, *, points_settled: bool) -> Findings:
        suite = self.suite
        assert suite.nc is not None
        js = suite.nc.jetstream(timeout=10)
        found = await reconcile_partners(self.s, self.partners, carded=self.carded, points_settled=points_settled)
        found = found.merge(await reconcile_plumbing(suite.databases, js, suite.namespace))
        return found.merge(await reconcile_events(js, suite.namespace))

    async def recovered(
        self,
        fault: str,
        restarted_at: float,
        probe: Callable[[], Awaitable[bool]],
        *,
        points_settled: bool = False,
        settle: int | None = None,
    ) -> Figure:
        """Wait for ``probe`` (the first call that shows the service back), then (after the
        processes have followed program-time revision ``settle``, when given) for the
        reconciliation to hold; record both times from ``restarted_at``."""

        async def answered() -> bool:
            try:
                return await probe()
            except grpc.aio.AioRpcError:
                return False

        await eventually(answered, bool, wait=RECONCILE_WITHIN)
        first = time.monotonic() - restarted_at
        if settle is not None:
            await self.suite.settle(settle)
        deadline = time.monotonic() + RECONCILE_WITHIN
        while True:
            try:
                found = await self.findings(points_settled=points_settled)
            except grpc.aio.AioRpcError as error:
                found = Findings(differences=[f"reconciliation call failed: {error.code()} {error.details()}"])
            except (nats.errors.Error, TimeoutError) as error:  # the cluster still electing leaders
                found = Findings(differences=[f"JetStream not answering: {error!r}"])
            if found.clean or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        counts = found.counts()
        figure = Figure(
            fault,
            counts["differences"],
            counts["lost"],
            counts["doubled"],
            round(first, 2),
            round(time.monotonic() - restarted_at, 2),
            found.republished,
            found.differences + found.lost + found.doubled,
        )
        self.figures.append(figure)
        print(f"\nfault figures: {json.dumps(asdict(figure))}", flush=True)
        return figure

    def save(self, run: str) -> None:
        FIGURES_FILE.parent.mkdir(exist_ok=True)
        saved = json.loads(FIGURES_FILE.read_text()) if FIGURES_FILE.exists() else {}
        saved[run] = {"load_average": os.getloadavg(), "figures": [asdict(f) for f in self.figures]}
        FIGURES_FILE.write_text(json.dumps(saved, indent=2))

    def assert_clean(self) -> None:
        dirty = [f for f in self.figures if f.differences or f.lost or f.doubled]
        assert not dirty, "\n".join(f"{f.fault}: {f.details}" for f in dirty)


async def kill_service(suite: FaultSuite, name: str) -> None:
    for replica in suite.replicas[name]:
        replica.kill()


async def restart_service(suite: FaultSuite, name: str) -> float:
    """Start every replica of ``name`` again; the monotonic instant the restart began."""
    began = time.monotonic()
    await asyncio.gather(*(suite.restart(name, r.index) for r in suite.replicas[name]))
    return began


async def tier_of(s: Stubs, pid: str) -> int:
    got = await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=s.staff)
    return int(got.status.tier)


async def points_of(s: Stubs, pid: str) -> int:
    """Active points as status last heard them from the 23:00 totals."""
    got = await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=s.staff)
    return int(got.status.active_points)


async def active_sanction_kinds(s: Stubs, pid: str) -> set[int]:
    active = await s.compliance.ListActiveSanctions(
        compliance_pb.ListActiveSanctionsRequest(partner_id=pid), metadata=s.staff
    )
    return {x.kind for x in active.sanctions}


async def candidate(s: Stubs, login: str, city: str, key: str) -> str:
    """A Business partner one 23:00 totals away from Certified (scenario 1's steps):
    two certified employees, a published card, an approved Enterprise-key project."""
    pid = await onboard_partner(s.status_channel, s.tokens, login)
    await certified_employees(s, pid, login, (login, f"{login}-dev"))
    await publish_card(s, pid, login, city)
    await client_key(s, key, "SM_ENTERPRISE", f"client-{login}")
    await approved_project(s, pid, login, f"{login}.example.ua", key)
    return pid


@pytest.mark.timeout(1200)
async def test_each_fault_kind_mid_scenario_loses_and_doubles_nothing(replicated: FaultSuite, tokens):
    """Issue 11, faults: upgrade -> keys issued, a dumping sanction and its lift, termination
    -> keys revoked, each crossing a fault: kill -9 of every service (both replicas) in turn,
    NATS restarted, PostgreSQL crashed. Retries repeat the same request_id."""
    suite = replicated
    async with stubs(suite, tokens) as s:
        rec = Recorder(suite, s)
        pid = rec.follow(await candidate(s, "phoenix", "Lviv", "SME-01-PHOENIXKEY001"))

        async def points_hold_100() -> bool:
            got = await s.points.GetActiveTotal(points_pb.GetActiveTotalRequest(partner_id=pid), metadata=s.staff)
            return float(got.total_points) == 100

        # Points killed right after the approval, its events possibly still in its outbox.
        await kill_service(suite, "points")
        await rec.recovered("kill -9 points (after a write)", await restart_service(suite, "points"), points_hold_100)

        # Status killed while the 23:00 jobs run: points has taken the date's totals, status is to hear of them.
        totals_at = next_daily_totals(await suite.now())
        revision = await suite.time.advance(totals_at - await suite.now())
        await suite.time.wait_jobs(revision, {"points.daily_totals"}, within=300)
        await kill_service(suite, "status")
        restarted = await restart_service(suite, "status")
        await suite.settle(revision)

        async def certified() -> bool:
            return await tier_of(s, pid) == status_pb2.PARTNER_TIER_CERTIFIED

        await rec.recovered("kill -9 status (daily jobs running)", restarted, certified, points_settled=True)

        # Licensing killed as the status change reaches it (key issue in flight).
        await kill_service(suite, "licensing")

        async def two_keys() -> bool:
            return len(await partner_keys(s, pid)) == 2

        await rec.recovered("kill -9 licensing (key issue)", await restart_service(suite, "licensing"), two_keys)

        # Compliance killed right after it applied a discount block; the client's retry (same
        # request_id) gets the same sanction, not a second one.
        verdict = await once_known(
            lambda: s.compliance.CheckResalePrice(
                compliance_pb.CheckResalePriceRequest(
                    request_id="price-phoenix",
                    partner_id=pid,
                    edition_code="SM_BUSINESS",
                    price_uah="50000.00",
                    currency="UAH",
                    order_id="order-phoenix",
                ),
                metadata=s.sales,
            )
        )
        assert verdict.dumping_case_id
        await s.compliance.ConfirmCase(
            compliance_pb.ConfirmCaseRequest(
                request_id="confirm-phoenix", case_id=verdict.dumping_case_id, reason="below list", actor_id="staff:1"
            ),
            metadata=s.staff,
        )
        today = kyiv_date(await suite.now())
        block_end, exclusion_end = add_months(today, 3), add_months(today, 6)

        def sanction(kind: int, end: Any) -> compliance_pb.ApplySanctionRequest:
            return compliance_pb.ApplySanctionRequest(
                request_id=f"sanction-phoenix-{kind}",
                case_id=verdict.dumping_case_id,
                kind=kind,
                start_date=today.isoformat(),
                end_date=end.isoformat(),
                actor_id="staff:1",
            )

        block = sanction(sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK, block_end)
        applied = await s.compliance.ApplySanction(block, metadata=s.staff)
        await kill_service(suite, "compliance")
        restarted = await restart_service(suite, "compliance")
        again = await s.compliance.ApplySanction(block, metadata=s.staff)
        assert again.sanction.sanction_id == applied.sanction.sanction_id

        async def blocked() -> bool:
            answer = await checkout_facade(s, "phoenix")
            return bool(answer.reason == entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED)

        await rec.recovered("kill -9 compliance (after a write, retried)", restarted, blocked)

        # The gateway killed right after the list exclusion: its directory must still hide the partner.
        await s.compliance.ApplySanction(
            sanction(sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION, exclusion_end), metadata=s.staff
        )
        await kill_service(suite, "gateway")

        async def hidden() -> bool:
            return pid not in await directory(s)

        await rec.recovered("kill -9 gateway (read model)", await restart_service(suite, "gateway"), hidden)

        # All of NATS down; a partner onboarded meanwhile (its events wait in status's outbox).
        for node in suite.nats_nodes:
            node.kill()
        witness = rec.follow(await onboard_partner(s.status_channel, tokens, "witness"))
        await publish_card(s, witness, "witness", "Poltava")
        began = time.monotonic()
        for node in suite.nats_nodes:
            node.start()

        async def witness_listed() -> bool:
            return witness in await directory(s)

        await rec.recovered("restart NATS (every node)", began, witness_listed)

        # PostgreSQL crashed while the jobs of the three months up to the block's end run.
        revision = await suite.time.advance(kyiv_datetime(block_end, 0, 30) - await suite.now())
        suite.pg.crash()
        began = time.monotonic()
        suite.pg.start()

        async def block_lifted() -> bool:
            return await active_sanction_kinds(s, pid) == {sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION}

        async def status_answers() -> bool:
            return await tier_of(s, pid) > 0

        await rec.recovered("crash PostgreSQL (daily jobs running)", began, status_answers, settle=revision)
        assert await block_lifted()
        assert (await checkout_facade(s, "phoenix")).allowed

        # Six months on the exclusion lifts; then the partner gives notice and is terminated.
        await suite.advance_to(kyiv_datetime(exclusion_end, 0, 30))
        await eventually(lambda: directory(s), lambda listed: pid in listed, wait=60)
        notice = kyiv_date(await suite.now())
        effective = add_months(notice, 1) + timedelta(days=1)
        await s.status.TerminatePartner(
            status_pb.TerminatePartnerRequest(
                request_id="notice-phoenix",
                partner_id=pid,
                form=partner_pb2.TERMINATION_FORM_PARTNER_NOTICE,
                notice_date=notice.isoformat(),
                effective_date=effective.isoformat(),
                reason="closing",
            ),
            metadata=s.staff,
        )
        await suite.advance_to(kyiv_datetime(effective, 0, 30))

        async def terminated() -> bool:
            answer = await checkout_facade(s, "phoenix")
            return bool(answer.reason == entitlement_pb2.ENTITLEMENT_REASON_TERMINATED)

        await rec.recovered("end of the year (no fault)", time.monotonic(), terminated)
        rec.save("faults")
        rec.assert_clean()
        audited = (await rec.findings(points_settled=False)).event_types
        for effect in ("ActiveTotalChanged", "StatusChanged", "NfrKeyIssued", "NfrKeyRevoked", "SanctionLifted"):
            assert audited[effect] > 0, f"the audit saw no {effect}: {audited}"
        assert {k.state for k in await partner_keys(s, pid)} == {nfr_pb2.GRANT_STATE_REVOKED}


@pytest.mark.timeout(1200)
async def test_losing_one_replica_of_each_service_and_one_nats_node_changes_nothing(replicated: FaultSuite, tokens):
    """Issue 11, replicas: one replica of every service and one NATS node killed before the
    23:00 jobs; the other replicas carry the upgrade through (Certified, exactly 2 keys, the
    directory updated); the killed ones come back and program time steps day by day across
    23:00. A year on, the other replica of every service and another NATS node are killed
    before the anniversary's jobs: its points expired, the partner falls to Business with
    its 2 keys revoked (R-STS-05, R-NFR-03). Each daily job acts once per date, order per
    partner kept, nothing lost or doubled."""
    suite = replicated
    async with stubs(suite, tokens) as s:
        rec = Recorder(suite, s)
        # Points first, the certificates a week later: Certified from then, so by its
        # anniversary the points have expired (as scenario 4 does for Gold).
        pid = rec.follow(await onboard_partner(s.status_channel, tokens, "twin"))
        await publish_card(s, pid, "twin", "Chernihiv")
        await client_key(s, "SME-01-TWINKEY00001", "SM_ENTERPRISE", "client-twin")
        await approved_project(s, pid, "twin", "twin.example.ua", "SME-01-TWINKEY00001")
        await suite.advance(timedelta(days=7))
        await certified_employees(s, pid, "twin", ("twin", "twin-dev"))

        for group in suite.replicas.values():
            group[0].kill()
        suite.nats_nodes[0].kill()
        await suite.advance_to(next_daily_totals(await suite.now()))
        await eventually(lambda: tier_of(s, pid), lambda t: t == status_pb2.PARTNER_TIER_CERTIFIED, wait=120)
        assert len(await eventually(lambda: partner_keys(s, pid), lambda g: len(g) == 2, wait=120)) == 2

        began = time.monotonic()
        suite.nats_nodes[0].start()
        await asyncio.gather(*(suite.restart(name, 0) for name in suite.replicas))

        async def listed_as(tier: int) -> bool:
            entry = (await directory(s)).get(pid)
            return entry is not None and entry.tier == tier

        certified = partial(listed_as, status_pb2.PARTNER_TIER_CERTIFIED)
        await rec.recovered("kill -9 one replica of each service + one NATS node", began, certified)

        for _ in range(3):
            await suite.advance_to(next_daily_totals(await suite.now()))
        assert suite.nc is not None
        progress = await read_job_progress(suite.nc.jetstream(timeout=10), suite.namespace, DAILY_JOBS)
        assert progress.done == dict.fromkeys(DAILY_JOBS, kyiv_date(await suite.now()))
        await rec.recovered("three more days on both replicas (no fault)", time.monotonic(), certified)

        status = (
            await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=s.staff)
        ).status
        anniversary = date.fromisoformat(status.valid_until_date)
        # The evening before, the totals (points expired) reach status; then the anniversary's review.
        await suite.advance_to(kyiv_datetime(anniversary - timedelta(days=1), 23, 30))
        await eventually(lambda: points_of(s, pid), lambda points: points == 0, wait=120)
        for group in suite.replicas.values():
            group[1].kill()
        suite.nats_nodes[1].kill()
        await suite.advance_to(kyiv_datetime(anniversary, 0, 30))
        await eventually(lambda: tier_of(s, pid), lambda t: t == status_pb2.PARTNER_TIER_BUSINESS, wait=120)
        revoked = await eventually(
            lambda: partner_keys(s, pid), lambda g: {k.state for k in g} == {nfr_pb2.GRANT_STATE_REVOKED}, wait=120
        )
        assert len(revoked) == 2

        began = time.monotonic()
        suite.nats_nodes[1].start()
        await asyncio.gather(*(suite.restart(name, 1) for name in suite.replicas))
        business = partial(listed_as, status_pb2.PARTNER_TIER_BUSINESS)
        await rec.recovered(
            "kill -9 the other replica of each service + another NATS node (anniversary)",
            began,
            business,
            points_settled=True,
        )
        rec.save("replicas")
        rec.assert_clean()
        assert len(await partner_keys(s, pid)) == 2
