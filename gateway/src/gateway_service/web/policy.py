"""The staff console's what-if of a policy change (R-POL-01).

Staff paste or upload a candidate policy and pick a date; the page shows the totals, every
partner whose outcome differs (status, discount, NFR keys, lead reach, directory rank, the
deciding conditions), a CSV download, and the policy versions with the one in force on the
date. Everything comes from the gateway's own API (``SimulatePolicyChange``,
``ListPolicyVersions``), called with the staff member's token; nothing is written.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway_service.web import presenters
from gateway_service.web.backends import Refusal, attempt
from gateway_service.web.pages import checked_form, field, refused, render, signed_in, web_of
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.status.v1 import entitlement_pb2, status_pb2

# A what-if reviews every partner twice: seconds for 10,000, more on a busy machine.
SIMULATION_SECONDS = 120.0


def _tier(value: status_pb2.PartnerTier.ValueType) -> str:
    return presenters.enum_key(status_pb2.PartnerTier.Name(value), "PARTNER_TIER_")


def _reach(value: entitlement_pb2.LeadDelivery.ValueType) -> str:
    key = presenters.enum_key(entitlement_pb2.LeadDelivery.Name(value), "LEAD_DELIVERY_")
    return presenters.label(presenters.LEAD_REACH_LABELS, key)


def present_simulation(answer: gateway_pb.SimulatePolicyChangeResponse) -> dict[str, Any]:
    """What the page shows of the gateway's answer."""
    s = answer.simulation
    ranks = {r.partner_id: r for r in answer.directory_ranks}
    before = {_tier(c.tier): c.partners for c in s.in_force_tiers}
    after = {_tier(c.tier): c.partners for c in s.candidate_tiers}
    return {
        "as_of_date": s.as_of_date,
        "in_force_version": s.in_force_policy_version,
        "candidate_version": s.candidate_policy_version,
        "evaluated": s.evaluated_partners,
        "tiers": [(tier, before.get(tier, 0), after.get(tier, 0)) for tier in presenters.TIER_LABELS],
        "keys_to_issue": s.keys_to_issue,
        "keys_to_revoke": s.keys_to_revoke,
        "discount_changes": [(_tier(d.tier), d.from_percent, d.to_percent, d.partners) for d in s.discount_changes],
        "rows": [
            {
                "partner_id": p.partner_id,
                "company": p.company_name,
                "tier_now": _tier(p.tier_now),
                "in_force": _tier(p.in_force.tier),
                "candidate": _tier(p.candidate.tier),
                "discount": (p.in_force.discount_percent, p.candidate.discount_percent),
                "nfr_keys": (p.in_force.status_nfr_keys, p.candidate.status_nfr_keys),
                "reach": (_reach(p.in_force.lead_reach), _reach(p.candidate.lead_reach)),
                "rank": (ranks[p.partner_id].rank_in_force, ranks[p.partner_id].rank_candidate)
                if p.partner_id in ranks
                else (0, 0),
                "deciding": [
                    (
                        presenters.enum_key(status_pb2.Condition.Name(d.condition), "CONDITION_"),
                        d.actual,
                        d.required,
                    )
                    for d in p.deciding
                ],
            }
            for p in s.partners
        ],
        "first_page_size": answer.first_page_size,
        "leaving": list(answer.leaving_first_page),
        "joining": list(answer.joining_first_page),
        "csv_href": "data:text/csv;charset=utf-8," + quote(answer.csv),
    }


async def _versions(request: Request, as_of_date: str) -> gateway_pb.ListPolicyVersionsResponse | Refusal:
    call = web_of(request).backends.gateway.ListPolicyVersions(
        gateway_pb.ListPolicyVersionsRequest(as_of_date=as_of_date)
    )
    return await attempt(call)


async def _document(form: FormData) -> str:
    """The uploaded file when one was chosen, else the pasted text."""
    upload = form.get("policy_file")
    if isinstance(upload, UploadFile) and upload.filename:
        return (await upload.read()).decode("utf-8", errors="replace")
    return field(form, "policy_document")


@signed_in(staff=True)
async def policy_page(request: Request) -> Response:
    """The form and the versions in force on a date (``?as_of_date=``, today when empty)."""
    as_of_date = request.query_params.get("as_of_date", "")
    versions = await _versions(request, as_of_date)
    if isinstance(versions, Refusal):
        return refused(request, versions, back="/staff")
    return render(request, "staff/policy.html", {"versions": versions, "as_of_date": as_of_date, "document": ""})


@signed_in(staff=True)
async def simulate_page(request: Request) -> Response:
    form = await checked_form(request)
    document, as_of_date = await _document(form), field(form, "as_of_date")
    call = web_of(request).backends.gateway.SimulatePolicyChange(
        gateway_pb.SimulatePolicyChangeRequest(policy_document=document, as_of_date=as_of_date),
        timeout=SIMULATION_SECONDS,
    )
    answer = await attempt(call)
    if isinstance(answer, Refusal):
        return refused(request, answer, back="/staff/policy")
    versions = await _versions(request, answer.simulation.as_of_date)
    return render(
        request,
        "staff/policy.html",
        {
            "versions": None if isinstance(versions, Refusal) else versions,
            "as_of_date": as_of_date,
            "document": document,
            "result": present_simulation(answer),
        },
    )


def routes() -> list[Route]:
    return [
        Route("/staff/policy", policy_page),
        Route("/staff/policy/simulate", simulate_page, methods=["POST"]),
    ]
