"""The public partner directory (R-CARD-03): ranked, filtered by city, status and
competency; partners excluded by a sanction are not in the read model at all (R-SAN-05)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway_service.web import presenters
from gateway_service.web.backends import Refusal, all_pages, attempt
from gateway_service.web.pages import public_page, render, web_of
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.status.v1 import status_pb2
from ppcore.cities import canonical_city


def _tier_key(tier: status_pb2.PartnerTier.ValueType) -> str:
    return presenters.enum_key(status_pb2.PartnerTier.Name(tier), "PARTNER_TIER_")


@public_page
async def directory(request: Request) -> Response:
    web = web_of(request)
    city = request.query_params.get("city", "").strip()
    tier = request.query_params.get("status", "").strip().upper()
    competency = request.query_params.get("competency", "").strip().upper()
    if tier not in presenters.TIER_LABELS:
        tier = ""
    if competency not in presenters.COMPETENCY_LABELS:
        competency = ""

    # R-LEAD-01: the gateway filters by the canonical city ("м. Київ", "Kyiv" and "Київ" are one).
    def fetch(token: str) -> Any:
        return web.backends.gateway.ListDirectory(
            gateway_pb.ListDirectoryRequest(
                competency_code=competency,
                city=city,
                tier=status_pb2.PartnerTier.Value(f"PARTNER_TIER_{tier}" if tier else "PARTNER_TIER_UNSPECIFIED"),
                page_size=200,
                page_token=token,
            )
        )

    shown = await attempt(all_pages(fetch, "entries"))
    if isinstance(shown, Refusal):
        return render(request, "directory.html", {"unavailable": shown, "entries": []}, status_code=503)
    cities = sorted({e.city for e in shown if e.city}, key=canonical_city)
    return render(
        request,
        "directory.html",
        {
            "entries": [
                {
                    "rank": e.rank,
                    "partner_id": e.partner_id,
                    "company_name": e.company_name,
                    "city": e.city,
                    "tier": _tier_key(e.tier),
                    "competencies": list(e.competency_codes),
                    "description": e.description,
                    "phone": e.phone,
                    "office_address": e.office_address,
                    "website_url": e.website_url,
                    "certified_employees": e.certified_employees,
                    "projects": e.projects,
                }
                for e in shown
            ],
            "filters": {"city": city, "status": tier, "competency": competency},
            "cities": cities,
        },
    )


def routes() -> list[Route]:
    return [Route("/", directory, name="directory")]
