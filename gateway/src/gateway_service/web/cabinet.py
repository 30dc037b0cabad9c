"""The partner cabinet: where a partner stands, by the signed-in login's role.

Status with the checklist to the next status and to keep this one, the discount
("Buy"), a points timeline against the thresholds, keys, projects and point requests
with their state, sanctions with end dates, and the forms to submit a project and a
point request. A limited employee sees only the partner sections (R-EMP-03); the
services refuse the rest to its token anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway_service.web import presenters
from gateway_service.web.backends import Refusal, all_pages, attempt
from gateway_service.web.pages import (
    act,
    checked_form,
    field,
    person_of,
    render,
    request_id_of,
    signed_in,
    web_of,
)
from gateway_service.web.presenters import CabinetSection, enum_key
from gateway_service.web.view_model import partner_view, when
from partnerprogram.gateway.v1 import cabinet_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.points.v1 import point_request_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import status_service_pb2 as status_pb

_TIMELINE_DAYS = 365


@signed_in(staff=False)
async def cabinet(request: Request) -> Response:
    web = web_of(request)
    person = person_of(request)
    assert person is not None  # signed_in guarantees it
    partner_id = person.partner_id
    sections = presenters.visible_sections(person.role)
    b = web.backends
    context: dict[str, Any] = {
        "sections": {s.value for s in sections},
        "may_submit": presenters.may_submit(person.role),
        "editions": web.policy.editions,
        "categories": web.policy.points.additional_categories,
    }
    partner = await attempt(b.status.GetPartner(status_pb.GetPartnerRequest(partner_id=partner_id)))
    context["company_name"] = partner_id if isinstance(partner, Refusal) else partner.partner.company_name
    if sections & {CabinetSection.POINTS, CabinetSection.KEYS, CabinetSection.SANCTIONS}:
        view = await attempt(
            b.gateway.GetPartnerCabinet(
                gateway_pb.GetPartnerCabinetRequest(partner_id=partner_id, expiring_within_days=_TIMELINE_DAYS)
            )
        )
        context["view"] = partner_view(view)
        expiring = await attempt(
            b.points.GetExpiringPoints(
                points_pb.GetExpiringPointsRequest(partner_id=partner_id, within_days=_TIMELINE_DAYS)
            )
        )
        if not isinstance(view, Refusal) and not isinstance(expiring, Refusal):
            context["expiring_by_date"] = [(e.expire_date, e.points) for e in expiring.by_date]
            timeline = presenters.points_timeline(
                presenters.as_decimal(view.cabinet.points.active_points),
                [(e.expire_date, presenters.as_decimal(e.points)) for e in expiring.by_date],
                web.today(),
                web.thresholds(),
                _TIMELINE_DAYS,
            )
            context["chart"] = presenters.timeline_chart(timeline)
            context["falls_below"] = [(name, timeline.first_below(value)) for name, value in timeline.thresholds]
    elif CabinetSection.STATUS in sections:
        status = await attempt(b.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=partner_id)))
        context["view"] = _status_only(status)
    if CabinetSection.PROJECTS in sections:
        context["projects"] = await _submitted(
            lambda t: b.points.ListProjects(
                points_pb.ListProjectsRequest(partner_id=partner_id, page_size=200, page_token=t)
            ),
            "projects",
            lambda p: enum_key(project_pb2.ProjectState.Name(p.state), "PROJECT_STATE_"),
            "p",
        )
    if CabinetSection.POINT_REQUESTS in sections:
        context["point_requests"] = await _submitted(
            lambda t: b.points.ListPointRequests(
                points_pb.ListPointRequestsRequest(partner_id=partner_id, page_size=200, page_token=t)
            ),
            "point_requests",
            lambda r: enum_key(point_request_pb2.PointRequestState.Name(r.state), "POINT_REQUEST_STATE_"),
            "r",
        )
    return render(request, "cabinet/cabinet.html", context)


async def _submitted(
    fetch: Callable[[str], Awaitable[Any]], items: str, state: Callable[[Any], str], name: str
) -> list[dict[str, Any]] | Refusal:
    """What the partner submitted (a paged List RPC), newest first, each under ``name``
    with its state; or the refusal, shown as an unavailable section."""
    found = await attempt(all_pages(fetch, items))
    if isinstance(found, Refusal):
        return found
    return [
        {name: x, "state": state(x), "submitted": when(x, "submit_time")}
        for x in sorted(found, key=lambda x: when(x, "submit_time"), reverse=True)
    ]


def _status_only(status: Any) -> dict[str, Any]:
    """The status section alone, for a login that may not open the whole partner view."""
    if isinstance(status, Refusal):
        return {"refusal": status}
    wrapped = gateway_pb.GetPartnerCabinetResponse()
    wrapped.cabinet.status.status.CopyFrom(status.status)
    wrapped.cabinet.status.state.availability = cabinet_pb2.SECTION_AVAILABILITY_AVAILABLE
    context = partner_view(wrapped)
    context["status_only"] = True
    return context


@signed_in(staff=False)
async def submit_project(request: Request) -> Response:
    """R-PRJ-01: a submitted project goes under review; R-PRJ-04 refusals come back as shown."""
    web = web_of(request)
    person = person_of(request)
    assert person is not None
    form = await checked_form(request)
    return await act(
        request,
        web.backends.points.SubmitProject(
            points_pb.SubmitProjectRequest(
                request_id=request_id_of(form),
                partner_id=person.partner_id,
                site_url=field(form, "site_url"),
                license_key=field(form, "license_key"),
                edition_code=field(form, "edition_code"),
                title=field(form, "title"),
                description=field(form, "description"),
                publish_on_site=field(form, "publish_on_site") == "on",
                joint_partner_id=field(form, "joint_partner_id"),
            )
        ),
        back="/cabinet#projects",
        done=lambda answer: f"Проєкт «{answer.project.title or answer.project.site_url}» надіслано на модерацію.",
        then="/cabinet#projects",
    )


@signed_in(staff=False)
async def submit_point_request(request: Request) -> Response:
    """R-PTS-03: additional points come only through a request that staff decide."""
    web = web_of(request)
    person = person_of(request)
    assert person is not None
    form = await checked_form(request)
    links = [line.strip() for line in field(form, "evidence_links").splitlines() if line.strip()]
    return await act(
        request,
        web.backends.points.SubmitPointRequest(
            points_pb.SubmitPointRequestRequest(
                request_id=request_id_of(form),
                partner_id=person.partner_id,
                category=field(form, "category"),
                requested_points=field(form, "requested_points"),
                evidence_description=field(form, "evidence_description"),
                evidence_links=links,
            )
        ),
        back="/cabinet#point-requests",
        done="Запит на додаткові бали надіслано. Рішення — протягом 10 робочих днів.",
        then="/cabinet#point-requests",
    )


def routes() -> list[Route]:
    return [
        Route("/cabinet", cabinet, name="cabinet"),
        Route("/cabinet/projects", submit_project, methods=["POST"]),
        Route("/cabinet/point-requests", submit_point_request, methods=["POST"]),
    ]
