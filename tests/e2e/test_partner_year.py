"""A partner's year on the running suite: five processes on PostgreSQL and a real
nats-server, only gRPC with real tokens, program time moved through the one control and
the daily jobs run by each process's scheduler for every date crossed (never sleeping).
Scenarios of issue 11; the rule IDs are in each test's docstring."""

from datetime import timedelta

import pytest
from e2e_support import entitlement, eventually, onboard_partner
from year_support import approved_project, certified_employees, client_key, monitored, publish_card, stubs

from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.clock import kyiv_date, kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_every_process_follows_program_time_and_warns_that_it_does(year_suite):
    """DESIGN Time: the five processes report the program time they use (the control reads
    it back), and each one that follows program time said so with a warning at start."""
    reading = await year_suite.time.read()
    assert set(reading.processes) == set(year_suite.ports)
    assert all(r.revision == reading.revision for r in reading.processes.values())
    for name in year_suite.ports:
        log = (year_suite.logs / f"{name}.log").read_text()
        assert '"program_time.enabled"' in log and '"warning"' in log, name


async def test_scenario_1_a_studio_becomes_certified_after_the_2300_totals(year_suite, tokens):
    """Scenario 1. R-PRT-02..05, R-STS-01/02/04/06, R-EMP-06, R-PRJ-01, R-QM-02/03, R-PTS-05,
    R-NFR-01/10, R-CARD-01..04: a studio applies, is approved (Business, 40 %), files its
    contract and has it accepted (authorization letter), attaches employees who earn
    certificates, adds projects that staff approve, passes one through quality monitoring;
    nothing changes before 23:00; after the 23:00 totals it is Certified: 45 % at the sales
    platform's next check, 2 NFR keys issued and verifiable, the partner view and the
    directory updated."""
    async with stubs(year_suite, tokens) as s:
        pid = await onboard_partner(s.status_channel, tokens, "studio")
        main = s.partner(pid, "studio")
        business = await entitlement(s.status_channel, tokens, pid)
        assert (business.allowed, business.discount_percent) == (True, 40)
        letter = await s.status.GetAuthorizationLetter(
            status_pb.GetAuthorizationLetterRequest(partner_id=pid), metadata=main
        )
        assert letter.letter.contract_id

        await certified_employees(s, pid, "studio", ("studio", "studio-dev"))
        await publish_card(s, pid, "studio", "Kyiv")
        await client_key(s, "SMB-01-CLIENTKEY0001", "SM_BUSINESS", "client-1")
        await client_key(s, "SSB-01-CLIENTKEY0002", "SM_SMALL_BUSINESS", "client-2")
        shop = await approved_project(s, pid, "studio", "shop.example.ua", "SMB-01-CLIENTKEY0001")
        await approved_project(s, pid, "studio", "blog.example.ua", "SSB-01-CLIENTKEY0002")
        qm = await monitored(s, pid, "studio", shop, "SMB-01-CLIENTKEY0001")
        assert float(qm.entry.points) == 40  # the monitored edition's points value

        async def status_now():
            return (
                await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=main)
            ).status

        # 100 points accrued, but the status follows the daily total, taken at 23:00 Kyiv.
        now = await year_suite.now()
        await year_suite.advance_to(kyiv_datetime(kyiv_date(now), 22, 59))
        assert (await status_now()).tier == status_pb2.PARTNER_TIER_BUSINESS
        await year_suite.advance(timedelta(minutes=2))

        certified = await eventually(status_now, lambda st: st.tier == status_pb2.PARTNER_TIER_CERTIFIED)
        assert (certified.active_points, certified.certified_specialists) == (100, 2)
        checked = await entitlement(s.status_channel, tokens, pid)
        assert (checked.allowed, checked.discount_percent) == (True, 45)

        keys = await eventually(
            lambda: s.licensing.ListPartnerKeys(licensing_pb.ListPartnerKeysRequest(partner_id=pid), metadata=main),
            lambda r: len(r.grants) >= 2,
        )
        assert len(keys.grants) == 2 and all(g.state == nfr_pb2.GRANT_STATE_ACTIVE for g in keys.grants)
        for grant in keys.grants:
            verdict = await s.licensing.VerifyKey(licensing_pb.VerifyKeyRequest(key=grant.key), metadata=s.system)
            assert verdict.verdict.valid and verdict.verdict.owner_id == pid

        total = await s.points.GetActiveTotal(points_pb.GetActiveTotalRequest(partner_id=pid), metadata=main)
        assert float(total.total_points) == 100

        async def cabinet():
            return (
                await s.gateway.GetPartnerCabinet(gateway_pb.GetPartnerCabinetRequest(partner_id=pid), metadata=main)
            ).cabinet

        view = await eventually(
            cabinet, lambda c: c.status.status.tier == status_pb2.PARTNER_TIER_CERTIFIED and len(c.nfr.grants) == 2
        )
        assert not view.partial, list(view.missing_sections)
        assert float(view.points.active_points) == 100

        async def listed():
            page = await s.gateway.ListDirectory(gateway_pb.ListDirectoryRequest(page_size=50))
            return {e.partner_id: e for e in page.entries}

        directory = await eventually(listed, lambda d: pid in d and d[pid].tier == status_pb2.PARTNER_TIER_CERTIFIED)
        assert directory[pid].projects == 2 and directory[pid].monitored_projects == 1
