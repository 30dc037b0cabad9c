"""A partner's year on the running suite: five processes on PostgreSQL and a real
nats-server, only gRPC with real tokens, program time moved through the one control and
the daily jobs run by each process's scheduler for every date crossed (never sleeping).
Scenarios of issue 11; the rule IDs are in each test's docstring."""

from datetime import timedelta

import pytest
from e2e_support import entitlement, eventually, onboard_partner
from year_support import (
    approved_project,
    certified_employees,
    client_key,
    monitored,
    once_known,
    publish_card,
    stubs,
)

from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import entitlement_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.clock import add_months, kyiv_date, kyiv_datetime

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


async def test_scenario_3_a_dumping_sanction_blocks_and_hides_then_lifts_by_itself(year_suite, tokens):
    """Scenario 3. R-PRC-01/02, R-VIO-01, R-SAN-01/06/07, R-ENT-01, R-CARD-03: a resale below
    list price opens a dumping case; staff confirm it with a 6-month list exclusion and a
    3-month discount block: the checkout facade refuses the discount with the block's end
    date and the directory hides the partner; after 3 and then 6 months of program time
    each sanction lifts by itself, in compliance, status and the gateway."""
    async with stubs(year_suite, tokens) as s:
        pid = await onboard_partner(s.status_channel, tokens, "dumper")
        await publish_card(s, pid, "dumper", "Lviv")

        async def listed() -> set[str]:
            page = await s.gateway.ListDirectory(gateway_pb.ListDirectoryRequest(page_size=100))
            return {e.partner_id for e in page.entries}

        await eventually(listed, lambda ids: pid in ids)

        verdict = await once_known(
            lambda: s.compliance.CheckResalePrice(
                compliance_pb.CheckResalePriceRequest(
                    request_id="price-1",
                    partner_id=pid,
                    edition_code="SM_BUSINESS",
                    price_uah="50000.00",
                    currency="UAH",
                    order_id="order-77",
                ),
                metadata=s.sales,
            )
        )
        assert not verdict.allowed and verdict.dumping_case_id
        await s.compliance.ConfirmCase(
            compliance_pb.ConfirmCaseRequest(
                request_id="confirm-1", case_id=verdict.dumping_case_id, reason="price below list", actor_id="staff:1"
            ),
            metadata=s.staff,
        )
        today = kyiv_date(await year_suite.now())
        block_end, exclusion_end = add_months(today, 3), add_months(today, 6)
        for kind, end in (
            (sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK, block_end),
            (sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION, exclusion_end),
        ):
            await s.compliance.ApplySanction(
                compliance_pb.ApplySanctionRequest(
                    request_id=f"sanction-{kind}",
                    case_id=verdict.dumping_case_id,
                    kind=kind,
                    start_date=today.isoformat(),
                    end_date=end.isoformat(),
                    actor_id="staff:1",
                ),
                metadata=s.staff,
            )

        async def checkout():
            return await s.gateway.CheckDiscountEntitlement(
                gateway_pb.CheckDiscountEntitlementRequest(buyer_login="dumper", product_family="SITE_MANAGEMENT"),
                metadata=s.sales,
            )

        blocked = await eventually(checkout, lambda r: r.reason == entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED)
        assert not blocked.allowed and blocked.blocked_until_date == block_end.isoformat()
        await eventually(listed, lambda ids: pid not in ids)

        async def active_kinds() -> set[int]:
            active = await s.compliance.ListActiveSanctions(
                compliance_pb.ListActiveSanctionsRequest(partner_id=pid), metadata=s.staff
            )
            return {x.kind for x in active.sanctions}

        # The day before the block ends nothing has lifted.
        await year_suite.advance_to(kyiv_datetime(block_end - timedelta(days=1), 12, 0))
        assert (await checkout()).reason == entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED
        assert await active_kinds() == {
            sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK,
            sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION,
        }

        # Three months on: the discount block lifts by itself, the list exclusion holds.
        await year_suite.advance_to(kyiv_datetime(block_end, 0, 30))
        await eventually(active_kinds, lambda kinds: kinds == {sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION})
        restored = await eventually(checkout, lambda r: r.allowed)
        assert restored.discount_percent == 40
        assert (await entitlement(s.status_channel, tokens, pid)).allowed
        assert pid not in await listed()

        # Six months on: the list exclusion lifts too, and the directory lists the partner again.
        await year_suite.advance_to(kyiv_datetime(exclusion_end, 0, 30))
        await eventually(active_kinds, lambda kinds: kinds == set())
        await eventually(listed, lambda ids: pid in ids)
