"""Every staff action of the console: the RPC it calls with the form's fields, the staff
login and the form's request_id; where success leads; a refusal shown with its way back; an
unknown action or sanction kind refused before any call. The backends are recording fakes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
from starlette.testclient import TestClient

from gateway_service.web.app import build_web
from gateway_service.web.backends import Backends
from gateway_service.web.pages import WebConfig
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.status.v1 import entitlement_pb2, simulation_pb2, status_pb2, status_service_pb2
from ppcore.auth import TokenIssuer
from ppcore.clock import SystemClock
from ppcore.policy import load_policy

STAFF = "staff:moderator"


class Recorder:
    """A service stub: each RPC records its request and answers from ``answers`` (or
    raises the ``refusing`` error)."""

    def __init__(self, calls: list[tuple[str, Any]]) -> None:
        self.calls = calls
        self.answers: dict[str, Any] = {}
        self.refusing: grpc.aio.AioRpcError | None = None

    def __getattr__(self, rpc: str) -> Any:
        async def call(request: Any, **_: Any) -> Any:
            self.calls.append((rpc, request))
            if self.refusing is not None:
                raise self.refusing
            return self.answers.get(rpc, SimpleNamespace())

        return call


@pytest.fixture(scope="module")
def console() -> Iterator[tuple[TestClient, dict[str, Recorder], list[tuple[str, Any]]]]:
    calls: list[tuple[str, Any]] = []
    stubs = {name: Recorder(calls) for name in ("status", "points", "licensing", "compliance", "gateway")}
    decided = SimpleNamespace(point_request=SimpleNamespace(granted_points="5"))
    stubs["points"].answers["DecidePointRequest"] = decided
    issuer = TokenIssuer(
        algorithm="HS256", clock=SystemClock(), secret="x" * 32, issuer="partnerprogram", audience="partnerprogram"
    )
    app = build_web(
        WebConfig(session_secret="s" * 32, dev_signin=True),
        backends=Backends(  # type: ignore[arg-type]
            **{name: stubs[name] for name in ("status", "points", "licensing", "compliance")}, _gateway=stubs["gateway"]
        ),
        issuer=issuer,
        clock=SystemClock(),
        policy=load_policy(),
    )
    with TestClient(app) as client:
        client.post("/auth/dev", data={"who": STAFF, "csrf": _csrf(client)}, follow_redirects=False)
        yield client, stubs, calls


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/auth/signin").text)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, path: str, **form: str) -> Any:
    return client.post(path, data={"csrf": _csrf(client), "request_id": "rq-1", **form}, follow_redirects=False)


SANCTION = sanction_pb2.SANCTION_KIND_STATUS_DOWNGRADE
ACTIONS = [
    # path, form, RPC, fields of its request, where success leads
    (
        "/staff/applications/a-1/reject",
        {"reason": "incomplete"},
        "RejectApplication",
        {"application_id": "a-1", "reason": "incomplete", "staff_login": STAFF},
        "/staff/applications/a-1",
    ),
    (
        "/staff/applications/a-1/request-info",
        {"note": "send the contract"},
        "RequestApplicationInfo",
        {"application_id": "a-1", "note": "send the contract", "staff_login": STAFF},
        "/staff/applications/a-1",
    ),
    (
        "/staff/card-changes/p-1/approve",
        {"revision_id": "rev-1", "note": "ok"},
        "ApproveCardChange",
        {"partner_id": "p-1", "revision_id": "rev-1", "note": "ok", "staff_login": STAFF},
        "/staff/queues/card-changes",
    ),
    (
        "/staff/card-changes/p-1/reject",
        {"revision_id": "rev-1"},
        "RejectCardChange",
        {"partner_id": "p-1", "revision_id": "rev-1", "staff_login": STAFF},
        "/staff/queues/card-changes",
    ),
    (
        "/staff/projects/pr-1/approve",
        {"note": "fine"},
        "ApproveProject",
        {"project_id": "pr-1", "note": "fine", "decided_by": STAFF},
        "/staff/projects/pr-1",
    ),
    (
        "/staff/projects/pr-1/reject",
        {"moderator_note": "no product"},
        "RejectProject",
        {"project_id": "pr-1", "moderator_note": "no product", "decided_by": STAFF},
        "/staff/projects/pr-1",
    ),
    (
        "/staff/point-requests/r-1/decide",
        {"granted_points": "5", "reason": "fewer"},
        "DecidePointRequest",
        {"point_request_id": "r-1", "granted_points": "5", "reason": "fewer", "decided_by": STAFF},
        "/staff/point-requests/r-1",
    ),
    (
        "/staff/cases/c-1/confirm",
        {"reason": "seen"},
        "ConfirmCase",
        {"case_id": "c-1", "reason": "seen", "actor_id": STAFF},
        "/staff/cases/c-1",
    ),
    (
        "/staff/cases/c-1/dismiss",
        {"reason": "not so"},
        "DismissCase",
        {"case_id": "c-1", "reason": "not so", "actor_id": STAFF},
        "/staff/cases/c-1",
    ),
    (
        "/staff/cases/c-1/sanction",
        {"kind": "STATUS_DOWNGRADE", "target_tier": "BUSINESS", "start_date": "2026-03-02", "competency_codes": "A, B"},
        "ApplySanction",
        {"case_id": "c-1", "kind": SANCTION, "start_date": "2026-03-02", "actor_id": STAFF},
        "/staff/cases/c-1",
    ),
    (
        "/staff/cases/c-1/lift",
        {"sanction_id": "s-1", "note": "early"},
        "LiftSanction",
        {"sanction_id": "s-1", "note": "early", "actor_id": STAFF},
        "/staff/cases/c-1",
    ),
    (
        "/staff/personal-data/pd-1/complete",
        {"note": "erased"},
        "CompletePersonalDataRequest",
        {"personal_data_request_id": "pd-1", "note": "erased", "actor_id": STAFF},
        "/staff/queues/personal-data",
    ),
    (
        "/staff/leads/l-1/approve",
        {"note": "fine"},
        "ModerateLead",
        {"lead_id": "l-1", "approve": True, "note": "fine", "staff_login": STAFF},
        "/staff/queues/leads",
    ),
    (
        "/staff/leads/l-1/reject",
        {},
        "ModerateLead",
        {"lead_id": "l-1", "approve": False, "staff_login": STAFF},
        "/staff/queues/leads",
    ),
    (
        "/staff/on-request-keys/k-1/approve",
        {"note": "ok"},
        "ApproveOnRequestKey",
        {"key_request_id": "k-1", "note": "ok"},
        "/staff/queues/on-request-keys",
    ),
    (
        "/staff/on-request-keys/k-1/reject",
        {"note": "template design"},
        "RejectOnRequestKey",
        {"key_request_id": "k-1", "reason": "template design"},
        "/staff/queues/on-request-keys",
    ),
]


@pytest.mark.parametrize(("path", "form", "rpc", "fields", "location"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_a_staff_action_calls_its_rpc_with_the_form_and_leads_on(console, path, form, rpc, fields, location):
    client, _, calls = console
    calls.clear()
    answer = _post(client, path, **form)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == location
    assert [name for name, _ in calls] == [rpc]
    request = calls[0][1]
    assert request.request_id == "rq-1"
    assert {name: getattr(request, name) for name in fields} == fields


def test_an_approved_application_leads_to_the_new_partner_and_a_sanction_carries_its_parameters(console):
    client, stubs, calls = console
    calls.clear()
    stubs["status"].answers["ApproveApplication"] = SimpleNamespace(partner=SimpleNamespace(partner_id="p-9"))
    approved = _post(client, "/staff/applications/a-1/approve")
    assert approved.headers["location"] == "/staff/partners/p-9"
    assert calls[0][1].staff_login == STAFF
    _post(
        client, "/staff/cases/c-1/sanction", kind="STATUS_DOWNGRADE", target_tier="CERTIFIED", competency_codes="A, B"
    )
    parameters = calls[-1][1].parameters
    assert parameters.target_tier == sanction_pb2.SANCTION_TARGET_TIER_CERTIFIED
    assert list(parameters.competency_codes) == ["A", "B"]


def test_an_unknown_action_or_sanction_kind_is_refused_before_any_call(console):
    client, _, calls = console
    calls.clear()
    assert _post(client, "/staff/projects/pr-1/delete").status_code == 404
    assert _post(client, "/staff/point-requests/r-1/approve").status_code == 404
    assert _post(client, "/staff/cases/c-1/sanction", kind="BANISHMENT").status_code == 400
    assert calls == []


def test_a_refused_action_is_shown_with_the_way_back(console):
    client, stubs, _ = console
    stubs["points"].refusing = grpc.aio.AioRpcError(
        grpc.StatusCode.FAILED_PRECONDITION, grpc.aio.Metadata(), grpc.aio.Metadata(), details="already decided"
    )
    try:
        refused = _post(client, "/staff/projects/pr-1/approve")
    finally:
        stubs["points"].refusing = None
    assert refused.status_code == 409
    assert "already decided" in refused.text
    assert 'href="/staff/projects/pr-1"' in refused.text


def test_the_policy_what_if_page_simulates_the_pasted_candidate_and_lists_the_versions(console):
    """R-POL-01 on the console: the pasted candidate and the date go to the gateway's
    SimulatePolicyChange; the page shows the totals, each differing partner with its outcome,
    ranks and deciding condition, a CSV download, and the versions in force on the date."""
    client, stubs, calls = console
    gold, certified = status_pb2.PARTNER_TIER_GOLD, status_pb2.PARTNER_TIER_CERTIFIED
    stubs["gateway"].answers["ListPolicyVersions"] = gateway_pb.ListPolicyVersionsResponse(
        as_of_date="2027-03-02",
        in_force_version="gold-600",
        versions=[
            simulation_pb2.PolicyVersion(version="2026.12-6"),
            simulation_pb2.PolicyVersion(version="gold-600", effective_date="2027-03-02", in_force=True),
        ],
    )
    stubs["gateway"].answers["SimulatePolicyChange"] = gateway_pb.SimulatePolicyChangeResponse(
        simulation=status_service_pb2.SimulatePolicyChangeResponse(
            as_of_date="2027-03-02",
            in_force_policy_version="2026.12-6",
            candidate_policy_version="gold-600",
            evaluated_partners=4,
            partners=[
                simulation_pb2.SimulatedPartner(
                    partner_id="p-550",
                    company_name="Studio 550",
                    tier_now=gold,
                    in_force=simulation_pb2.SimulatedOutcome(
                        tier=gold,
                        discount_percent=50,
                        status_nfr_keys=4,
                        lead_reach=entitlement_pb2.LEAD_DELIVERY_ANY_CITY,
                    ),
                    candidate=simulation_pb2.SimulatedOutcome(
                        tier=certified,
                        discount_percent=45,
                        status_nfr_keys=2,
                        lead_reach=entitlement_pb2.LEAD_DELIVERY_OWN_CITY,
                    ),
                    deciding=[
                        status_pb2.ChecklistItem(condition=status_pb2.CONDITION_ACTIVE_POINTS, actual=550, required=600)
                    ],
                )
            ],
            in_force_tiers=[simulation_pb2.TierCount(tier=gold, partners=2)],
            candidate_tiers=[simulation_pb2.TierCount(tier=gold, partners=1)],
            keys_to_revoke=2,
        ),
        directory_ranks=[gateway_pb.DirectoryRank(partner_id="p-550", rank_in_force=1, rank_candidate=3)],
        first_page_size=50,
        csv="partner_id,tier_candidate\r\np-550,CERTIFIED\r\n",
    )
    calls.clear()
    page = client.post(
        "/staff/policy/simulate",
        data={"csrf": _csrf(client), "policy_document": "version: gold-600", "as_of_date": "2027-03-02"},
    )
    assert page.status_code == 200, page.text
    simulate = next(request for rpc, request in calls if rpc == "SimulatePolicyChange")
    assert (simulate.policy_document, simulate.as_of_date) == ("version: gold-600", "2027-03-02")
    text = page.text
    for shown in ("Studio 550", "Активні бали: 550 / 600", "50 → 45", "4 → 2", "1 → 3", "ліди свого міста"):
        assert shown in text
    assert "відкликати: <strong>2</strong>" in text
    assert 'download="policy-what-if-2027-03-02.csv"' in text and "p-550%2CCERTIFIED" in text
    assert "чинна версія: <strong>gold-600</strong>" in text

    versions = client.get("/staff/policy", params={"as_of_date": "2027-03-02"})
    assert versions.status_code == 200 and "діє з 2027-03-02 <strong>(чинна)</strong>" in versions.text
    assert calls[-1] == ("ListPolicyVersions", gateway_pb.ListPolicyVersionsRequest(as_of_date="2027-03-02"))
