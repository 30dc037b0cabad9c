"""A partner's year on the running suite: five processes on PostgreSQL and a real
nats-server, only gRPC with real tokens, program time moved through the one control and
the daily jobs run by each process's scheduler for every date crossed (never sleeping).
Scenarios of issue 11; the rule IDs are in each test's docstring."""

from datetime import date, timedelta
from functools import partial

import grpc
import pytest
from e2e_support import entitlement, eventually, onboard_partner
from year_support import (
    GOLD_COURSES,
    approved_project,
    certified_employees,
    certified_partner,
    checkout_facade,
    client_key,
    directory_ids,
    monitored,
    next_daily_totals,
    once_known,
    partner_keys,
    publish_card,
    stubs,
)

from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import personal_data_pb2 as compliance_pd_pb2
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import employee_pb2, entitlement_pb2, partner_pb2, status_pb2
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
        log = year_suite.logs[name].read_text()
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
            cabinet,
            lambda c: c.status.status.tier == status_pb2.PARTNER_TIER_CERTIFIED and len(c.nfr.grants) == 2,
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

        checkout = partial(checkout_facade, s, "dumper")

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


async def test_scenario_6_at_the_end_of_its_notice_a_partner_is_terminated_everywhere(year_suite, tokens):
    """Scenario 6. R-PRT-06/07, R-NFR-12, R-ENT-01, R-PRT-05, R-CARD-03: the partner gives
    notice; until the end date nothing changes; at the end date it is terminated: every
    NFR key revoked, the discount refused at checkout, the authorization letter void, the
    directory entry gone."""
    async with stubs(year_suite, tokens) as s:
        pid = await certified_partner(year_suite, s, "leaver", "Odesa", "LEAVERKEY0001")
        main = s.partner(pid, "leaver")
        await eventually(lambda: directory_ids(s), lambda ids: pid in ids)
        notice = kyiv_date(await year_suite.now())
        effective = add_months(notice, 1) + timedelta(days=1)
        await s.status.TerminatePartner(
            status_pb.TerminatePartnerRequest(
                request_id="notice-leaver",
                partner_id=pid,
                form=partner_pb2.TERMINATION_FORM_PARTNER_NOTICE,
                notice_date=notice.isoformat(),
                effective_date=effective.isoformat(),
                reason="closing the business",
            ),
            metadata=s.staff,
        )

        checkout = partial(checkout_facade, s, "leaver")

        await year_suite.advance_to(kyiv_datetime(effective - timedelta(days=1), 12, 0))
        still = await checkout()
        assert (still.allowed, still.discount_percent) == (True, 45)
        assert all(g.state == nfr_pb2.GRANT_STATE_ACTIVE for g in await partner_keys(s, pid))

        await year_suite.advance_to(kyiv_datetime(effective, 0, 30))
        refused = await eventually(checkout, lambda r: r.reason == entitlement_pb2.ENTITLEMENT_REASON_TERMINATED)
        assert not refused.allowed
        with pytest.raises(grpc.aio.AioRpcError) as void:
            await s.status.GetAuthorizationLetter(
                status_pb.GetAuthorizationLetterRequest(partner_id=pid), metadata=main
            )
        assert void.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        revoked = await eventually(
            lambda: partner_keys(s, pid),
            lambda grants: bool(grants) and all(g.state == nfr_pb2.GRANT_STATE_REVOKED for g in grants),
        )
        assert len(revoked) == 2
        for grant in revoked:
            verdict = await s.licensing.VerifyKey(licensing_pb.VerifyKeyRequest(key=grant.key), metadata=s.system)
            assert not verdict.verdict.valid
        await eventually(lambda: directory_ids(s), lambda ids: pid not in ids)


async def test_scenario_2_at_500_points_a_partner_turns_gold(year_suite, tokens):
    """Scenario 2. R-STS-03/06, R-NFR-01, R-LEAD-01, R-QM-02/05: a Certified partner with
    three Gold specialists and a monitored project reaches 500 active points: after the
    23:00 totals it is Gold, holds 4 NFR keys in all, receives leads from any city, and
    buys at 50 %."""
    async with stubs(year_suite, tokens) as s:
        pid = await certified_partner(year_suite, s, "grower", "Kharkiv", "GROWERKEY0001")
        await certified_employees(s, pid, "grower", ("grower", "grower-dev", "grower-ops"), GOLD_COURSES)
        key = "SME-01-GROWERKEY0001"  # the Enterprise key of its first project: 5 sites, 100 points each
        first = (await s.points.ListProjects(points_pb.ListProjectsRequest(partner_id=pid), metadata=s.staff)).projects[
            0
        ]
        await monitored(s, pid, "grower", first, key)
        for n in range(3):
            await approved_project(s, pid, "grower", f"shop{n}.grower.example.ua", key)
        assert (
            float(
                (
                    await s.points.GetActiveTotal(points_pb.GetActiveTotalRequest(partner_id=pid), metadata=s.staff)
                ).total_points
            )
            == 500
        )

        await year_suite.advance_to(next_daily_totals(await year_suite.now()))

        async def tier() -> int:
            got = await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=s.staff)
            return int(got.status.tier)

        await eventually(tier, lambda t: t == status_pb2.PARTNER_TIER_GOLD)
        grants = await eventually(lambda: partner_keys(s, pid), lambda g: len(g) == 4)
        assert all(g.state == nfr_pb2.GRANT_STATE_ACTIVE for g in grants)
        gold = await entitlement(s.status_channel, tokens, pid)
        assert (gold.allowed, gold.discount_percent) == (True, 50)
        await s.status.SetEmployeeAccessGroups(
            status_pb.SetEmployeeAccessGroupsRequest(
                request_id="leads-grower",
                partner_id=pid,
                login="grower-dev",
                access_groups=[employee_pb2.ACCESS_GROUP_LEADS],
            ),
            metadata=s.partner(pid, "grower"),
        )
        elsewhere = await s.status.ListLeadRecipients(
            status_pb.ListLeadRecipientsRequest(city="Uzhhorod"), metadata=s.system
        )
        assert (pid, entitlement_pb2.LEAD_DELIVERY_ANY_CITY) in {
            (r.partner_id, r.delivery) for r in elsewhere.recipients
        }


async def test_scenario_7_a_personal_data_request_is_answered_in_time_and_erased_everywhere(year_suite, tokens):
    """Scenario 7. R-PD-02/03/05: a client asks to stop processing their data; the request
    is answered before its business-day deadline and the client's data is erased in the
    points service that held it (the monitoring record keeps its outcome and points, so
    history stays consistent); a request left open shows as overdue after its deadline."""
    async with stubs(year_suite, tokens) as s:
        pid = await onboard_partner(s.status_channel, tokens, "keeper")
        await client_key(s, "SMB-01-KEEPERKEY0001", "SM_BUSINESS", "client-keeper")
        project = await approved_project(s, pid, "keeper", "keeper.example.ua", "SMB-01-KEEPERKEY0001")
        qm = await monitored(s, pid, "keeper", project, "SMB-01-KEEPERKEY0001")
        total_before = await s.points.GetActiveTotal(points_pb.GetActiveTotalRequest(partner_id=pid), metadata=s.staff)

        today = kyiv_date(await year_suite.now())

        async def open_request(n: int, email: str):
            opened = await once_known(
                lambda: s.compliance.OpenPersonalDataRequest(
                    compliance_pb.OpenPersonalDataRequestRequest(
                        request_id=f"pd-{n}",
                        kind=compliance_pd_pb2.PERSONAL_DATA_REQUEST_KIND_STOP_PROCESSING,
                        partner_id=pid,
                        subject=compliance_pd_pb2.DataSubject(email=email),
                        description="stop processing my data",
                        received_date=today.isoformat(),
                        actor_id="staff:dpo",
                        legal_basis=compliance_pd_pb2.LEGAL_BASIS_CONSENT,
                    ),
                    metadata=s.staff,
                )
            )
            return opened.personal_data_request

        answered = await open_request(1, "iryna@client.ua")
        left_open = await open_request(2, "someone@else.ua")
        due = date.fromisoformat(answered.due_date)
        assert due > today

        async def overdue_ids() -> set[str]:
            listed = await s.compliance.ListOverduePersonalDataRequests(
                compliance_pb.ListOverduePersonalDataRequestsRequest(), metadata=s.staff
            )
            return {r.personal_data_request_id for r in listed.personal_data_requests}

        await year_suite.advance_to(kyiv_datetime(due, 12, 0))
        assert answered.personal_data_request_id not in await overdue_ids()
        done = await s.compliance.CompletePersonalDataRequest(
            compliance_pb.CompletePersonalDataRequestRequest(
                request_id="pd-done-1",
                personal_data_request_id=answered.personal_data_request_id,
                note="processing stopped, data erased",
                actor_id="staff:dpo",
            ),
            metadata=s.staff,
        )
        assert done.personal_data_request.state == compliance_pd_pb2.PERSONAL_DATA_REQUEST_STATE_COMPLETED

        async def submission():
            return (
                await s.points.GetMonitoringSubmission(
                    points_pb.GetMonitoringSubmissionRequest(submission_id=qm.submission.submission_id),
                    metadata=s.staff,
                )
            ).submission

        erased = await eventually(submission, lambda sub: sub.client_contact.email == "")
        assert erased.client_contact.phone == "" and erased.state == qm.submission.state
        assert erased.points == qm.submission.points and len(erased.survey_scores) == len(qm.submission.survey_scores)
        total_after = await s.points.GetActiveTotal(points_pb.GetActiveTotalRequest(partner_id=pid), metadata=s.staff)
        assert total_after.total_points == total_before.total_points

        await year_suite.advance(timedelta(days=1))
        overdue = await overdue_ids()
        assert left_open.personal_data_request_id in overdue
        assert answered.personal_data_request_id not in overdue


async def test_scenario_4_a_year_on_expired_points_take_gold_back_to_certified(year_suite, tokens):
    """Scenario 4. R-PTS-04, R-STS-05, R-NFR-01/03/07/08: a partner turns Gold with points of
    which most were earned a week before; a year on those have expired and only 100 remain:
    at the anniversary it falls to Certified (45 %), 2 of its 4 NFR keys are revoked and 2
    kept; its cloud NFR moves to the free plan at its yearly check because its sales were
    under 10,000 UAH."""
    async with stubs(year_suite, tokens) as s:
        pid = await certified_partner(year_suite, s, "veteran", "Dnipro", "VETERANKEY0001")
        main = s.partner(pid, "veteran")
        key = "SME-01-VETERANKEY0001"
        await certified_employees(s, pid, "veteran", ("veteran", "veteran-dev", "veteran-ops"), GOLD_COURSES)
        for n in range(3):
            await approved_project(s, pid, "veteran", f"shop{n}.veteran.example.ua", key)
        cloud = await s.licensing.IssueCloudNfr(
            licensing_pb.IssueCloudNfrRequest(
                request_id="cloud-veteran", partner_id=pid, portal_domain="veteran.bitrix24.ua"
            ),
            metadata=main,
        )
        assert cloud.cloud_nfr.plan == "COMPANY"

        # A week later the monitored project brings the 500th point: Gold from that day.
        await year_suite.advance(timedelta(days=7))
        first = (await s.points.ListProjects(points_pb.ListProjectsRequest(partner_id=pid), metadata=s.staff)).projects
        await monitored(s, pid, "veteran", sorted(first, key=lambda p: p.site_key)[0], key)
        await year_suite.advance_to(next_daily_totals(await year_suite.now()))

        async def status_now():
            return (
                await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=s.staff)
            ).status

        gold = await eventually(status_now, lambda st: st.tier == status_pb2.PARTNER_TIER_GOLD)
        await eventually(lambda: partner_keys(s, pid), lambda g: len(g) == 4)
        anniversary = date.fromisoformat(gold.valid_until_date)

        # A year on: the points of the first week have expired; the totals the evening before
        # the anniversary say 100. One jump of program time crosses 23:00 about 350 times: each
        # service catches up its own dates, and status starts the review of a date only once
        # points' totals of the evening before have reached it (DailyTotalsCompleted), so the
        # anniversary's review reads 100 and not a total from weeks earlier.
        await year_suite.advance_to(kyiv_datetime(anniversary, 0, 30))
        certified = await eventually(status_now, lambda st: st.tier == status_pb2.PARTNER_TIER_CERTIFIED)
        assert certified.active_points == 100
        assert (await entitlement(s.status_channel, tokens, pid)).discount_percent == 45
        grants = await eventually(
            lambda: partner_keys(s, pid),
            lambda g: (
                sorted(x.state for x in g) == [nfr_pb2.GRANT_STATE_ACTIVE] * 2 + [nfr_pb2.GRANT_STATE_REVOKED] * 2
            ),
        )
        assert len(grants) == 4
        moved = (
            await s.licensing.GetCloudNfr(licensing_pb.GetCloudNfrRequest(partner_id=pid), metadata=main)
        ).cloud_nfr
        assert moved.plan == "PROJECT"


async def test_scenario_5_a_joint_project_earns_only_once_both_declare_and_then_splits(year_suite, tokens):
    """Scenario 5. R-PRJ-08, R-PTS-05: a joint project declared by one partner earns nothing
    for anyone (not at approval, not at the 23:00 totals); once the other partner declares
    it too and staff approve, each holds half of the key edition's 40 points, in points and
    in the status service after the totals."""
    async with stubs(year_suite, tokens) as s:
        alpha = await onboard_partner(s.status_channel, tokens, "alpha")
        beta = await onboard_partner(s.status_channel, tokens, "beta")
        key = "SMB-01-JOINTKEY00001"
        await client_key(s, key, "SM_BUSINESS", "client-joint")

        async def declare(partner_id: str, login: str, other: str):
            async def attempt():
                try:
                    return await s.points.SubmitProject(
                        points_pb.SubmitProjectRequest(
                            request_id=f"joint-{login}",
                            partner_id=partner_id,
                            site_url="joint.example.ua",
                            license_key=key,
                            joint_partner_id=other,
                        ),
                        metadata=s.partner(partner_id, login),
                    )
                except grpc.aio.AioRpcError as error:  # points has not heard of a partner yet
                    if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT) and (
                        "partner" in (error.details() or "").lower()
                    ):
                        return None
                    raise

            submitted = await eventually(attempt, lambda r: r is not None)
            return await s.points.ApproveProject(
                points_pb.ApproveProjectRequest(
                    request_id=f"joint-ok-{login}", project_id=submitted.project.project_id
                ),
                metadata=s.staff,
            )

        async def active(partner_id: str) -> float:
            got = await s.points.GetActiveTotal(
                points_pb.GetActiveTotalRequest(partner_id=partner_id), metadata=s.staff
            )
            return float(got.total_points)

        one_sided = await declare(alpha, "alpha", beta)
        assert [float(e.points) for e in one_sided.entries] == [0.0]
        await year_suite.advance_to(next_daily_totals(await year_suite.now()))
        assert (await active(alpha), await active(beta)) == (0.0, 0.0)

        both = await declare(beta, "beta", alpha)
        assert sorted((e.partner_id, float(e.points)) for e in both.entries) == sorted([(alpha, 20.0), (beta, 20.0)])
        await year_suite.advance_to(next_daily_totals(await year_suite.now()))
        assert (await active(alpha), await active(beta)) == (20.0, 20.0)
        for partner_id in (alpha, beta):
            await eventually(
                lambda p=partner_id: s.status.GetPartnerStatus(
                    status_pb.GetPartnerStatusRequest(partner_id=p), metadata=s.staff
                ),
                lambda got: got.status.active_points == 20,
            )
