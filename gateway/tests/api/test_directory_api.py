"""ListDirectory over real gRPC, from the read model the gateway builds out of the producers'
events on real JetStream: ranking (R-CARD-03), who is listed (R-CARD-01, R-SAN-05/06),
the competency filter (R-CMP-04), paging, exactly-once application and erasure (R-PD-03)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import grpc
import httpx
import pytest
import yaml

from gateway_service.domain.ranking import RankingFacts, ranking_score
from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import card_pb2, simulation_pb2, status_pb2, status_service_pb2
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.policy import DEFAULT_POLICY_PATH, Tier
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

TIERS = {Tier.BUSINESS: 1, Tier.CERTIFIED: 2, Tier.GOLD: 3}
CERTIFIED_COURSES = ("SM_ADMINISTRATOR", "SM_DEVELOPER")


@dataclass
class Events:
    """The producers' events as the status, points and compliance services publish them."""

    gateway: object
    pending: list[str]

    async def _put(self, producer: str, payload, partner_id: str = "") -> None:
        self.pending.append(await self.gateway.publish(producer, payload, partner_id))

    async def applied(self) -> None:
        for event_id in self.pending:
            await self.gateway.handled(event_id)
        self.pending.clear()

    async def listed_partner(self, partner_id: str, tier: Tier = Tier.BUSINESS, city: str = "Kyiv", **card) -> None:
        await self._put(
            "status",
            status_events.PartnerApproved(
                partner_id=partner_id, company_name=f"{partner_id} LLC", city=city, tier=TIERS[Tier.BUSINESS]
            ),
            partner_id,
        )
        if tier is not Tier.BUSINESS:
            await self.status(partner_id, tier)
        await self.card(partner_id, **card)

    async def card(
        self,
        partner_id: str,
        *,
        eligible: bool = True,
        missing: tuple[int, ...] = (),
        phone="+380441234567",
        office_city: str = "",
        city_key: str = "",
    ):
        content = card_pb2.CardContent(
            description="Sites and integrations",
            logo_ref="logo.png",
            phone=phone,
            office_address="Kyiv, Khreshchatyk 1",
            website_url=f"https://{partner_id}.example",
            publish_on_site=True,
            office_city=office_city,
        )
        eligibility = card_pb2.PublicListEligibility(eligible=eligible, missing_items=list(missing))
        await self._put(
            "status",
            status_events.CardPublished(
                partner_id=partner_id, revision_id="r1", content=content, eligibility=eligibility, city_key=city_key
            ),
            partner_id,
        )

    async def status(self, partner_id: str, tier: Tier) -> None:
        await self._put("status", status_events.StatusChanged(partner_id=partner_id, to_tier=TIERS[tier]), partner_id)

    async def project(self, partner_id: str, project_id: str) -> None:
        await self._put(
            "points", points_events.ProjectApproved(partner_id=partner_id, project_id=project_id), partner_id
        )

    async def monitored(self, partner_id: str, project_id: str, submission_id: str) -> None:
        event = points_events.MonitoringCompleted(
            partner_id=partner_id, project_id=project_id, submission_id=submission_id
        )
        await self._put("points", event, partner_id)

    async def marketing(self, partner_id: str, request_id: str, granted: str, category="MARKETING_ACTIVITY") -> None:
        event = points_events.PointRequestDecided(
            partner_id=partner_id, point_request_id=request_id, category=category, granted_points=granted
        )
        await self._put("points", event, partner_id)

    async def active_total(self, partner_id: str, total: str) -> None:
        event = points_events.ActiveTotalChanged(partner_id=partner_id, total_points=total)
        await self._put("points", event, partner_id)

    async def certified_login(self, partner_id: str, login: str, courses=CERTIFIED_COURSES) -> None:
        await self._put("status", status_events.EmployeeAttached(partner_id=partner_id, login=login), partner_id)
        for course in courses:
            certificate = status_events.CertificateRecorded(
                partner_id=partner_id, certificate_id=f"{login}-{course}", login=login, course_code=course
            )
            await self._put("status", certificate, partner_id)

    async def competency(self, partner_id: str, code: str, *, granted: bool = True) -> None:
        event = (
            status_events.CompetencyGranted(partner_id=partner_id, code=code)
            if granted
            else status_events.CompetencyRevoked(partner_id=partner_id, code=code)
        )
        await self._put("status", event, partner_id)

    async def sanction(self, partner_id: str, sanction_id: str, kind: int, start: str, end: str = "", *, lifted=False):
        cls = compliance_events.SanctionLifted if lifted else compliance_events.SanctionApplied
        event = cls(partner_id=partner_id, sanction_id=sanction_id, kind=kind, start_date=start, end_date=end)
        await self._put("compliance", event, partner_id)


@pytest.fixture
def events(gateway) -> Events:
    return Events(gateway, [])


async def three_partners(events: Events) -> None:
    """alpha (Business, a project, 10 points), beta (Gold), gamma (Certified, two projects)."""
    await events.listed_partner("alpha")
    await events.project("alpha", "prj-a1")
    await events.active_total("alpha", "10")
    await events.listed_partner("beta", Tier.GOLD)
    await events.listed_partner("gamma", Tier.CERTIFIED)
    for project in ("prj-c1", "prj-c2"):
        await events.project("gamma", project)


async def _listing(gateway, competency: str = "", **kwargs) -> list:
    response = await gateway.stub.ListDirectory(pb.ListDirectoryRequest(competency_code=competency, **kwargs))
    return list(response.entries)


async def test_directory_ranks_by_the_policy_weights(gateway, events, policy):
    """R-CARD-03: projects, monitored projects, marketing activity, certified employees, status
    and active points, weighted by the policy, order the public list; anyone may read it."""
    await three_partners(events)
    await events.monitored("gamma", "prj-c1", "sub-1")
    await events.monitored("gamma", "prj-c1", "sub-2")  # the same project again counts once
    await events.marketing("gamma", "req-1", "5")
    await events.marketing("gamma", "req-2", "0")  # denied
    await events.marketing("gamma", "req-3", "5", category="CLIENT_REVIEW")
    await events.active_total("gamma", "40.5")
    await events.certified_login("gamma", "anna")
    await events.certified_login("gamma", "bob")
    await events.certified_login("gamma", "carol", courses=("SM_ADMINISTRATOR",))  # lacks a course
    await events.certified_login("gamma", "dave")
    await events._put("status", status_events.EmployeeDetached(partner_id="gamma", login="dave"), "gamma")
    await events.applied()

    entries = await _listing(gateway)
    assert [(e.rank, e.partner_id) for e in entries] == [(1, "beta"), (2, "gamma"), (3, "alpha")]
    gamma = entries[1]
    assert (gamma.projects, gamma.monitored_projects, gamma.marketing_activity, gamma.certified_employees) == (
        2,
        1,
        1,
        2,
    )
    assert gamma.active_points == "40.5"
    assert gamma.tier == status_pb2.PARTNER_TIER_CERTIFIED
    assert gamma.company_name == "gamma LLC" and gamma.city == "Kyiv"
    assert gamma.website_url == "https://gamma.example" and gamma.logo_ref == "logo.png"
    expected = RankingFacts(
        tier=Tier.CERTIFIED,
        projects=2,
        monitored_projects=1,
        marketing_activity=1,
        certified_employees=2,
        active_points=Decimal("40.5"),
    )
    assert gamma.score == pytest.approx(ranking_score(expected, policy.ranking))
    assert entries[0].score == pytest.approx(policy.ranking.status[Tier.GOLD])

    # A new fact moves a partner: alpha's active total overtakes gamma.
    await events.active_total("alpha", "1000")
    await events.applied()
    assert [e.partner_id for e in await _listing(gateway)] == ["alpha", "beta", "gamma"]


async def test_only_complete_active_unexcluded_cards_are_listed(gateway, events):
    """R-CARD-01: an incomplete card is hidden; a terminated partner is hidden; R-SAN-05: a
    public-list exclusion hides the partner only while it holds; R-SAN-06: a violators-list
    sanction shows on the entry."""
    exclusion = sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION
    await events.listed_partner("complete")
    await events.listed_partner("no-logo", eligible=False, missing=(card_pb2.CARD_ITEM_LOGO,))
    await events.listed_partner("terminated")
    await events._put("status", status_events.PartnerTerminated(partner_id="terminated"), "terminated")
    await events.listed_partner("excluded")
    await events.sanction("excluded", "s-ex", exclusion, "2026-03-01", "2026-06-01")
    await events.listed_partner("later")
    await events.sanction("later", "s-later", exclusion, "2026-04-01", "2026-07-01")
    await events.listed_partner("lifted")
    await events.sanction("lifted", "s-lift", exclusion, "2026-03-01")
    # Published while a sanction held: status named only the sanction item; the gateway decides that.
    await events.listed_partner("was-excluded", eligible=False, missing=(card_pb2.CARD_ITEM_NOT_EXCLUDED_BY_SANCTION,))
    await events.listed_partner("violator")
    await events.sanction("violator", "s-vio", sanction_pb2.SANCTION_KIND_VIOLATORS_LIST, "2026-03-01")
    await events.applied()

    listed = {e.partner_id: e for e in await _listing(gateway)}
    assert set(listed) == {"complete", "later", "was-excluded", "violator"}
    assert listed["violator"].listed_as_violator
    assert not listed["complete"].listed_as_violator

    await events.sanction("lifted", "s-lift", exclusion, "2026-03-01", lifted=True)
    await events.applied()
    assert "lifted" in {e.partner_id for e in await _listing(gateway)}

    gateway.clock.advance(timedelta(days=45))  # 2026-04-16: "later" holds now
    assert "later" not in {e.partner_id for e in await _listing(gateway)}
    gateway.clock.advance(timedelta(days=50))  # 2026-06-05: "excluded" has ended
    listed_after = {e.partner_id for e in await _listing(gateway)}
    assert "excluded" in listed_after and "later" not in listed_after


async def test_filter_by_competency_ranks_within_it(gateway, events):
    """R-CMP-04: filtering by a competency, with the rating within that competency."""
    await events.listed_partner("alpha")
    await events.listed_partner("beta", Tier.GOLD)
    await events.listed_partner("gamma", Tier.CERTIFIED)
    await events.competency("alpha", "COMPOSITE_SITE")
    await events.competency("gamma", "COMPOSITE_SITE")
    await events.competency("gamma", "INTEGRATION_1C")
    await events.applied()

    entries = await _listing(gateway, "COMPOSITE_SITE")
    assert [(e.rank, e.partner_id) for e in entries] == [(1, "gamma"), (2, "alpha")]
    assert list(entries[0].competency_codes) == ["COMPOSITE_SITE", "INTEGRATION_1C"]

    await events.competency("gamma", "COMPOSITE_SITE", granted=False)
    await events.applied()
    assert [(e.rank, e.partner_id) for e in await _listing(gateway, "COMPOSITE_SITE")] == [(1, "alpha")]
    assert await _listing(gateway, "SYSTEM_ADMINISTRATION") == []


async def test_filter_by_city_in_any_spelling_and_by_status(gateway, events):
    """R-CARD-03 filters: a city is one place whatever its spelling ("Київ", "м. Київ", "Kyiv",
    R-LEAD-01), and a status; ranks are within the filtered list."""
    await events.listed_partner("alpha", city="м. Київ")
    await events.listed_partner("beta", Tier.GOLD, city="Kyiv")
    await events.listed_partner("gamma", Tier.CERTIFIED, city="Львів")
    await events.applied()
    kyiv = await _listing(gateway, city="Київ")
    assert [(e.rank, e.partner_id) for e in kyiv] == [(1, "beta"), (2, "alpha")]
    assert [e.partner_id for e in await _listing(gateway, city="Lviv")] == ["gamma"]
    gold = await _listing(gateway, tier=status_pb2.PARTNER_TIER_GOLD)
    assert [(e.rank, e.partner_id) for e in gold] == [(1, "beta")]
    assert await _listing(gateway, city="Kyiv", tier=status_pb2.PARTNER_TIER_CERTIFIED) == []


async def test_the_city_filter_finds_a_card_city_spelled_differently(gateway, events):
    """R-LEAD-01: "a city is one canonical place ("Київ", "м. Київ", "Kyiv" match)". The
    directory keys a partner by status's key from the events (the card's office city from
    CardPublished), and canonicalises the filter as status does: a card in "Киев" is found
    by "Kyiv", "м. Київ" and "Kiev"; an older CardPublished without a key is keyed alike."""
    await events.listed_partner("alpha", city="Львів", office_city="Киев", city_key="kyiv")
    await events.listed_partner("beta", city="Odesa", office_city="м. Київ")  # an older event: no key
    await events.listed_partner("gamma", city="Одесса")
    await events.applied()
    for spelling in ("Kyiv", "м. Київ", "Kiev", "Київ"):
        found = await _listing(gateway, city=spelling)
        assert sorted(e.partner_id for e in found) == ["alpha", "beta"], spelling
    assert {e.partner_id: e.city for e in found} == {"alpha": "Киев", "beta": "м. Київ"}
    assert [e.partner_id for e in await _listing(gateway, city="Odessa")] == ["gamma"]
    assert await _listing(gateway, city="Lviv") == []


async def test_a_partner_that_lost_gold_stops_showing_large_corporate(gateway, events):
    """R-CMP-02/04: "Losing Gold suspends it": the badge and the per-competency listing drop
    Large corporate implementations once the partner is no longer Gold, even before (or
    without) the status service's suspension event; regaining Gold shows it again."""
    await events.listed_partner("beta", Tier.GOLD)
    await events.competency("beta", "LARGE_CORPORATE")
    await events.competency("beta", "COMPOSITE_SITE")
    await events.applied()
    assert "LARGE_CORPORATE" in (await _listing(gateway))[0].competency_codes
    assert [e.partner_id for e in await _listing(gateway, "LARGE_CORPORATE")] == ["beta"]

    await events.status("beta", Tier.CERTIFIED)
    await events.applied()
    assert list((await _listing(gateway))[0].competency_codes) == ["COMPOSITE_SITE"]
    assert await _listing(gateway, "LARGE_CORPORATE") == []

    await events.status("beta", Tier.GOLD)
    await events.applied()
    assert [e.partner_id for e in await _listing(gateway, "LARGE_CORPORATE")] == ["beta"]


async def test_pages_follow_the_ranking(gateway, events):
    for name, tier in (("a", Tier.BUSINESS), ("b", Tier.CERTIFIED), ("c", Tier.GOLD)):
        await events.listed_partner(name, tier)
    await events.applied()
    seen, token = [], ""
    while True:
        response = await gateway.stub.ListDirectory(pb.ListDirectoryRequest(page_size=2, page_token=token))
        seen.extend((e.rank, e.partner_id) for e in response.entries)
        token = response.next_page_token
        if not token:
            break
    assert seen == [(1, "c"), (2, "b"), (3, "a")]
    assert response.policy_version


async def test_bad_paging_is_invalid_argument(gateway):
    for request, reason in (
        (pb.ListDirectoryRequest(page_token="nope"), "PAGE_TOKEN_INVALID"),
        (pb.ListDirectoryRequest(page_token="2147483648"), "PAGE_TOKEN_INVALID"),
        (pb.ListDirectoryRequest(page_size=-1), "NUMBER_OUT_OF_RANGE"),
    ):
        await gateway.refused(gateway.stub.ListDirectory(request), grpc.StatusCode.INVALID_ARGUMENT, reason)


async def test_an_event_is_applied_once_and_a_project_counts_once(gateway, events):
    """A redelivered event (same id) is skipped by the inbox; the same project approved again counts once."""
    await events.listed_partner("alpha")
    await events.applied()
    approved = points_events.ProjectApproved(partner_id="alpha", project_id="prj-1")
    event_id = await gateway.publish("points", approved, "alpha")
    await gateway.handled(event_id)
    # The same envelope again, past JetStream's de-duplication (another Nats-Msg-Id).
    again = await gateway.publish("points", approved, "alpha", event_id=event_id, msg_id=f"{event_id}-again")
    assert again == event_id
    await gateway.emit("points", approved, "alpha")  # a new event about the same project
    await events.active_total("alpha", "1")  # applied after the redelivery (one stream, in order)
    await events.applied()
    assert await gateway.scalar("SELECT projects FROM directory_partners WHERE partner_id = 'alpha'") == 1
    assert await gateway.scalar(f"SELECT count(*) FROM inbox WHERE event_id = '{event_id}'") == 1


async def test_erasure_pseudonymises_the_login_and_clears_the_phone(gateway, events):
    """R-PD-03: the person's login and phone leave the read model; the counts stay."""
    await events.listed_partner("gamma", Tier.CERTIFIED, phone="+380501112233")
    await events.certified_login("gamma", "anna")
    await events.applied()
    assert (await _listing(gateway))[0].certified_employees == 1
    await gateway.emit(
        "compliance",
        compliance_events.PersonalDataErasureRequested(
            partner_id="gamma", personal_data_request_id="pd-1", subject_login="anna", subject_phone="+380501112233"
        ),
        "gamma",
    )
    assert await gateway.scalar("SELECT count(*) FROM partner_logins WHERE login = 'anna'") == 0
    assert await gateway.scalar("SELECT count(*) FROM login_certificates WHERE login = 'anna'") == 0
    entry = (await _listing(gateway))[0]
    assert entry.phone == ""
    # The pseudonymised login still holds its certificates: a later recount keeps it.
    await events.certified_login("gamma", "bob")
    await events.applied()
    assert (await _listing(gateway))[0].certified_employees == 2


def _candidate_text(projects_weight: float, version: str = "candidate-1") -> str:
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    raw["version"] = version
    raw["ranking"]["projects"] = projects_weight
    return yaml.safe_dump(raw, allow_unicode=True)


async def test_a_policy_what_if_over_http_adds_directory_ranks_for_staff_only(gateway, events):
    """R-POL-01, R-CARD-03: POST /v1/policy:simulate passes the status service's simulation on
    and ranks each differing partner in the directory now (weights in force, statuses in force)
    and under the candidate (its weights, the status it gives); the CSV gains both ranks."""
    await three_partners(events)
    await events.applied()
    gold, certified = status_pb2.PARTNER_TIER_GOLD, status_pb2.PARTNER_TIER_CERTIFIED
    gateway.backends.status.simulated = status_service_pb2.SimulatePolicyChangeResponse(
        partners=[
            simulation_pb2.SimulatedPartner(
                partner_id="beta",
                company_name="beta LLC",
                tier_now=gold,
                in_force=simulation_pb2.SimulatedOutcome(tier=gold, discount_percent=50),
                candidate=simulation_pb2.SimulatedOutcome(tier=certified, discount_percent=45),
            )
        ],
        csv="partner_id,tier_candidate\r\nbeta,CERTIFIED\r\n",
    )
    # Now: beta 100 (Gold), gamma 50 + 2 x 2, alpha 2 + 10 x 0.5. Candidate: projects weigh 60 and
    # beta is Certified: gamma 170, alpha 65, beta 50.
    body = {"policy_document": _candidate_text(60.0), "as_of_date": "2027-03-02"}
    async with httpx.AsyncClient(base_url=await gateway.http_base_url()) as http:
        reply = await http.post("/v1/policy:simulate", json=body, headers=dict(gateway.staff()))
        sales = await http.post("/v1/policy:simulate", json=body, headers=dict(gateway.sales()))
        bad = await http.post("/v1/policy:simulate", json={"policy_document": "x: 1"}, headers=dict(gateway.staff()))
        versions = await http.get(
            "/v1/policy/versions", params={"as_of_date": "2027-03-02"}, headers=dict(gateway.staff())
        )

    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert answer["directory_ranks"] == [
        {"partner_id": "beta", "company_name": "beta LLC", "rank_in_force": 1, "rank_candidate": 3}
    ]
    assert answer["simulation"]["partners"][0]["candidate"]["tier"] == "PARTNER_TIER_CERTIFIED"
    assert answer["first_page_size"] == 50 and answer["leaving_first_page"] == [] == answer["joining_first_page"]
    assert answer["csv"].splitlines() == [
        "partner_id,tier_candidate,directory_rank_in_force,directory_rank_candidate",
        "beta,CERTIFIED,1,3",
    ]
    forwarded = gateway.backends.status.callers[-1]
    assert forwarded.kind.value == "system"  # the gateway forwards as itself, after admitting staff only
    assert sales.status_code == 403, sales.text
    assert bad.status_code == 400 and "policy_document.version" in bad.text
    assert versions.status_code == 200 and versions.json()["in_force_version"] == "2026.11-1"


async def test_the_directory_ranks_with_the_policy_version_in_force_on_the_day(gateway, events, policy):
    """R-POL-01, R-CARD-03: a version status schedules with other ranking weights (projects
    weigh 60) reaches the gateway; on its date the directory is rescored and ranked with it."""
    await three_partners(events)
    await events.applied()
    fake = gateway.backends.status
    fake.scheduled = [
        simulation_pb2.PolicyVersion(
            version="heavy-projects", effective_date="2026-03-03", document=_candidate_text(60.0, "heavy-projects")
        )
    ]
    served = fake.versions_served

    async def fetched_twice() -> bool:  # a fetch begun after another ended: the gateway has the version
        return fake.versions_served >= served + 2

    await eventually(fetched_twice)
    today = await gateway.stub.ListDirectory(pb.ListDirectoryRequest())
    assert today.policy_version == policy.version
    assert [e.partner_id for e in today.entries] == ["beta", "gamma", "alpha"]

    gateway.clock.advance(timedelta(days=1))

    async def ranked_with_the_new_version() -> pb.ListDirectoryResponse | None:
        page = await gateway.stub.ListDirectory(pb.ListDirectoryRequest())
        return page if page.entries[0].partner_id == "gamma" else None

    page = await eventually(ranked_with_the_new_version)
    assert page.policy_version == "heavy-projects"
    # gamma 50 + 2 x 60, beta 100 (Gold, nothing else), alpha 60 + 10 x 0.5
    assert [(e.partner_id, e.score) for e in page.entries] == [("gamma", 170.0), ("beta", 100.0), ("alpha", 65.0)]
