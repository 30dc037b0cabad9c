"""SimulatePolicyChange over real gRPC on PostgreSQL: the what-if of a policy change (R-POL-01)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import yaml
from status_api_support import StatusApi, approved_partner, publish_monitoring_completed

from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import employee_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole
from ppcore.policy import DEFAULT_POLICY_PATH, load_policy
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

IN_FORCE_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
GOLD, CERTIFIED = status_pb2.PARTNER_TIER_GOLD, status_pb2.PARTNER_TIER_CERTIFIED


def gold_at(points: int) -> str:
    raw = yaml.safe_load(IN_FORCE_TEXT)
    raw["version"] = f"gold-{points}"
    raw["statuses"]["gold"]["min_active_points"] = points
    return yaml.safe_dump(raw, allow_unicode=True)


async def tier_of(api: StatusApi, pid: str) -> int:
    return int((await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid))).status.tier)


async def active_total(api: StatusApi, pid: str, points: int) -> None:
    """Points' daily total (R-PTS-05) on real JetStream; waits until status recorded it."""
    today = api.clock.now().date().isoformat()
    await api.publish(
        points_events.ActiveTotalChanged(partner_id=pid, business_date=today, total_points=str(points)),
        source="points",
        partner_id=pid,
    )

    async def recorded() -> bool:
        got = await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid))
        return bool(got.status.active_points == points)

    await eventually(recorded)


async def staffed_partner(api: StatusApi, name: str, points: int) -> str:
    """A partner with three specialists holding every course and a monitored project (R-STS-02/03)."""
    pid = await approved_partner(api, login=f"{name}-main")
    main = api.tokens.partner_user(pid, PartnerRole.MAIN, subject=f"{name}-main")
    for n in range(3):
        login = f"{name}-e{n}"
        await api.call(
            "AttachEmployee",
            pb.AttachEmployeeRequest(
                request_id=f"at-{login}", partner_id=pid, login=login, role=employee_pb2.ROLE_CERTIFIED_SPECIALIST
            ),
            main,
        )
        for course in load_policy().course_codes():
            await api.call(
                "RecordCertificate",
                pb.RecordCertificateRequest(
                    request_id=f"rc-{login}-{course}",
                    certificate_id=f"{login}-{course}",
                    login=login,
                    course_code=course,
                    issued_date="2026-02-01",
                ),
                api.tokens.system(),
            )
    await active_total(api, pid, points)  # Certified from 100 points: its checklist then shows monitoring
    await publish_monitoring_completed(api, pid, api.clock.now())

    async def monitored() -> bool:
        status = (await api.call("GetPartnerStatus", pb.GetPartnerStatusRequest(partner_id=pid))).status
        items = status.checklist.to_reach_next
        return status.tier == GOLD or any(
            i.condition == status_pb2.CONDITION_MONITORED_PROJECTS and i.actual == 1 for i in items
        )

    await eventually(monitored)
    return pid


async def simulate(api: StatusApi, document: str, as_of: str = "") -> pb.SimulatePolicyChangeResponse:
    answer: pb.SimulatePolicyChangeResponse = await api.call(
        "SimulatePolicyChange", pb.SimulatePolicyChangeRequest(policy_document=document, as_of_date=as_of)
    )
    return answer


def counts(tiers: list[status_pb2.TierCount]) -> dict[int, int]:
    return {c.tier: c.partners for c in tiers if c.partners}


async def year_of_partners(api: StatusApi, *, with_drop: bool = True, days: int = 365) -> dict[str, str]:
    """Gold at 550, Gold at 700, Certified at 150, and a Gold partner down to 300 by its anniversary."""
    names = {"p550": 550, "p700": 700, "p150": 150} | ({"pdrop": 600} if with_drop else {})
    pids = {name: await staffed_partner(api, name, points) for name, points in names.items()}
    assert [await tier_of(api, pids[n]) for n in names] == [GOLD, GOLD, CERTIFIED, GOLD][: len(names)]
    if with_drop:
        await active_total(api, pids["pdrop"], 300)  # mid-year it keeps Gold (R-STS-05)
    api.clock.advance(timedelta(days=days))  # 365: 2027-03-02, everyone's anniversary
    return pids


async def test_the_policy_in_force_as_candidate_predicts_exactly_what_the_next_review_does(api: StatusApi) -> None:
    """R-POL-01: with the candidate equal to the policy in force, 0 differences; the statuses the
    simulation predicts under it are exactly those the daily review then records; nothing is
    written by the simulation."""
    pids = await year_of_partners(api)
    history, outbox = await api.count("status_history"), await api.count("outbox")

    same = await simulate(api, IN_FORCE_TEXT)

    assert (same.as_of_date, same.evaluated_partners, len(same.partners)) == ("2027-03-02", 4, 0)
    assert same.in_force_policy_version == same.candidate_policy_version == load_policy().version
    assert (same.keys_to_issue, same.keys_to_revoke, list(same.discount_changes)) == (0, 0, [])
    assert counts(same.in_force_tiers) == counts(same.candidate_tiers) == {GOLD: 2, CERTIFIED: 2}
    assert (await api.count("status_history"), await api.count("outbox")) == (history, outbox)
    assert Counter([await tier_of(api, pid) for pid in pids.values()]) == {GOLD: 3, CERTIFIED: 1}

    await api.call("RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="r1"), api.tokens.system())

    after_review = Counter([await tier_of(api, pid) for pid in pids.values()])
    assert dict(after_review) == counts(same.in_force_tiers)
    assert await tier_of(api, pids["pdrop"]) == CERTIFIED


async def test_gold_at_600_lists_exactly_the_partners_whose_status_changes(api: StatusApi) -> None:
    """R-POL-01, R-STS-05: at the anniversary, Gold at 600 points takes Gold from the partner
    holding 550 and nobody else; its deciding condition is active points, have 550 need 600."""
    pids = await year_of_partners(api)

    answer = await simulate(api, gold_at(600))

    assert [p.partner_id for p in answer.partners] == [pids["p550"]]
    row = answer.partners[0]
    assert (row.tier_now, row.in_force.tier, row.candidate.tier) == (GOLD, GOLD, CERTIFIED)
    assert (row.in_force.discount_percent, row.candidate.discount_percent) == (50, 45)
    assert [(d.condition, d.actual, d.required, d.met) for d in row.deciding] == [
        (status_pb2.CONDITION_ACTIVE_POINTS, 550, 600, False)
    ]
    assert answer.keys_to_revoke == load_policy().nfr.gold_extra_keys and answer.keys_to_issue == 0
    assert counts(answer.in_force_tiers) == {GOLD: 2, CERTIFIED: 2}
    assert counts(answer.candidate_tiers) == {GOLD: 1, CERTIFIED: 3}
    lines = answer.csv.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{pids['p550']},")


async def test_an_invalid_candidate_is_refused_naming_the_field_and_only_staff_may_simulate(api: StatusApi) -> None:
    """R-POL-01: validated as at start-up; INVALID_ARGUMENT names policy_document.<field>, and
    nothing is written (neither by the simulation nor by a refused registration)."""
    raw = yaml.safe_load(IN_FORCE_TEXT)
    raw["statuses"]["gold"]["discount_percent"] = 150
    written = [await api.count(t) for t in ("status_history", "outbox", "policy_versions")]
    bad = await api.refused("SimulatePolicyChange", pb.SimulatePolicyChangeRequest(policy_document=yaml.safe_dump(raw)))
    assert (bad.reason, bad.fields) == ("INVALID_POLICY", ["policy_document.statuses.gold.discount_percent"])
    registered = await api.refused(
        "RegisterPolicyVersion",
        pb.RegisterPolicyVersionRequest(
            request_id="bad", policy_document=yaml.safe_dump(raw), effective_date="2027-01-01"
        ),
    )
    assert (registered.reason, registered.fields) == (
        "INVALID_POLICY",
        ["policy_document.statuses.gold.discount_percent"],
    )
    assert [await api.count(t) for t in ("status_history", "outbox", "policy_versions")] == written
    date_bad = await api.refused(
        "SimulatePolicyChange", pb.SimulatePolicyChangeRequest(policy_document=IN_FORCE_TEXT, as_of_date="2.3.2027")
    )
    assert (date_bad.reason, date_bad.fields) == ("INVALID_DATE", ["as_of_date"])
    pid = await approved_partner(api)
    partner = await api.refused(
        "SimulatePolicyChange",
        pb.SimulatePolicyChangeRequest(policy_document=IN_FORCE_TEXT),
        api.tokens.partner_user(pid, PartnerRole.MAIN, subject="olena"),
    )
    assert partner.code.name == "PERMISSION_DENIED"


async def checkout_discount(api: StatusApi, buyer: str) -> tuple[int, str]:
    """The sales platform's discount check for a purchase by ``buyer`` (R-ENT-01, R-STS-06)."""
    check = pb.CheckDiscountEntitlementRequest(buyer_login=buyer, product_family="SITE_MANAGEMENT")
    answer = await api.call("CheckDiscountEntitlement", check, api.tokens.sales_platform())
    return answer.discount_percent, answer.policy_version


async def test_a_scheduled_version_changes_on_its_date_exactly_the_partners_the_simulation_listed(
    api: StatusApi,
) -> None:
    """R-POL-01: a version registered ahead applies from its date (program time); until then the
    policy file does. Gold at 600 from the anniversary changes exactly the partners the
    simulation of that date listed, their history records the version used, and the discount
    answered at checkout follows under that version."""
    pids = await year_of_partners(api, with_drop=False, days=364)  # 2027-03-01
    predicted = await simulate(api, gold_at(600), as_of="2027-03-02")
    assert [p.partner_id for p in predicted.partners] == [pids["p550"]]

    past = await api.refused(
        "RegisterPolicyVersion",
        pb.RegisterPolicyVersionRequest(request_id="v0", policy_document=gold_at(600), effective_date="2027-03-01"),
    )
    assert (past.reason, past.fields) == ("EFFECTIVE_DATE_NOT_IN_FUTURE", ["effective_date"])
    registered = await api.call(
        "RegisterPolicyVersion",
        pb.RegisterPolicyVersionRequest(request_id="v1", policy_document=gold_at(600), effective_date="2027-03-02"),
    )
    assert (registered.version.version, registered.version.effective_date) == ("gold-600", "2027-03-02")
    base = load_policy().version
    for day, in_force in (("2027-03-01", base), ("2027-03-02", "gold-600"), ("2028-01-01", "gold-600")):
        listed = await api.call("ListPolicyVersions", pb.ListPolicyVersionsRequest(as_of_date=day))
        assert listed.in_force_version == in_force
        assert [(v.version, v.in_force) for v in listed.versions] == [
            (base, base == in_force),
            ("gold-600", base != in_force),
        ]
        # The other services read the scheduled version's document from here (R-POL-01).
        assert [v.document for v in listed.versions] == ["", gold_at(600)]

    before = {name: await tier_of(api, pid) for name, pid in pids.items()}
    await api.call("RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="r0"), api.tokens.system())
    assert {name: await tier_of(api, pid) for name, pid in pids.items()} == before  # not yet in force
    assert await checkout_discount(api, "p550-main") == (50, base)

    api.clock.advance(timedelta(days=1))  # 2027-03-02
    await api.call("RunDailyStatusReview", pb.RunDailyStatusReviewRequest(request_id="r1"), api.tokens.system())

    after = {name: await tier_of(api, pid) for name, pid in pids.items()}
    changed = sorted(pids[name] for name in pids if after[name] != before[name])
    assert changed == [p.partner_id for p in predicted.partners]
    assert after["p550"] == CERTIFIED
    history = await api.call("ListStatusHistory", pb.ListStatusHistoryRequest(partner_id=pids["p550"]))
    assert history.entries[0].policy_version == "gold-600"
    assert history.entries[0].to_tier == CERTIFIED
    assert await checkout_discount(api, "p550-main") == (45, "gold-600")
    assert await checkout_discount(api, "p700-main") == (50, "gold-600")

    # After the switch, an event-driven re-evaluation decides under the version in force too.
    await active_total(api, pids["p550"], 650)
    assert await tier_of(api, pids["p550"]) == GOLD
    history = await api.call("ListStatusHistory", pb.ListStatusHistoryRequest(partner_id=pids["p550"]))
    assert (history.entries[0].to_tier, history.entries[0].policy_version) == (GOLD, "gold-600")
