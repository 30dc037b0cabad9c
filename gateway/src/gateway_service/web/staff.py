"""The staff console: one queue per moderated thing (oldest first, deadline, overdue
marked, CSV export), a detail page with the evidence and the actions the rules allow,
and the partner page. Every action is the service's own RPC, called with the staff
member's token and the ``request_id`` rendered into the form, so a double click acts once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, TypeVar

from google.protobuf.message import Message
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway_service.web import presenters
from gateway_service.web.backends import Backends, Refusal, all_pages, attempt
from gateway_service.web.pages import (
    Web,
    act,
    checked_form,
    field,
    person_of,
    refused,
    render,
    request_id_of,
    signed_in,
    web_of,
)
from gateway_service.web.presenters import QueueItem, enum_key
from gateway_service.web.view_model import partner_view, when
from partnerprogram.compliance.v1 import case_pb2, personal_data_pb2, sanction_pb2
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import ledger_pb2, point_request_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import card_pb2, lead_pb2, partner_pb2, status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb


def _staff_login(request: Request) -> str:
    person = person_of(request)
    return person.login if person else ""


def _partner_names(partners: Sequence[partner_pb2.Partner]) -> dict[str, str]:
    return {p.partner_id: p.company_name for p in partners}


async def _names(backends: Backends) -> dict[str, str]:
    partners = await all_pages(
        lambda t: backends.status.ListPartners(
            status_pb.ListPartnersRequest(include_terminated=True, page_size=200, page_token=t)
        ),
        "partners",
    )
    return _partner_names(partners)


M = TypeVar("M", bound=Message)


def _list(rpc: Callable[[M], Awaitable[Any]], request: M, token: str) -> Awaitable[Any]:
    """Calls a List RPC for the page after ``token`` (a copy of ``request`` with it set)."""
    page = type(request)()
    page.CopyFrom(request)
    setattr(page, "page_token", token)  # noqa: B010 - every List request has it
    return rpc(page)


@dataclass(frozen=True)
class Queue:
    """One staff queue: its page, its columns, and how to read its pending items."""

    key: str
    title: str
    rule: str
    columns: tuple[tuple[str, str], ...]
    load: Callable[[Backends, date], Awaitable[list[QueueItem]]]


async def _applications(b: Backends, today: date) -> list[QueueItem]:
    items: list[partner_pb2.Application] = []
    for state in (partner_pb2.APPLICATION_STATE_UNDER_REVIEW, partner_pb2.APPLICATION_STATE_INFO_REQUESTED):
        request = status_pb.ListApplicationsRequest(state=state, page_size=200)
        items += await all_pages(partial(_list, b.status.ListApplications, request), "applications")
    return [
        QueueItem(
            item_id=a.application_id,
            href=f"/staff/applications/{a.application_id}",
            started=when(a, "review_start_time") or when(a, "submit_time"),
            due=a.review_due_date,
            cells={
                "company": a.data.company_name,
                "city": a.data.city,
                "state": enum_key(partner_pb2.ApplicationState.Name(a.state), "APPLICATION_STATE_"),
                "submitted": when(a, "submit_time"),
                "due": a.review_due_date,
            },
        )
        for a in items
    ]


async def _card_changes(b: Backends, today: date) -> list[QueueItem]:
    # No list of pending revisions exists in the status API; at program scale (hundreds
    # of partners) reading each card is acceptable for a staff page.
    partners = await all_pages(
        lambda t: b.status.ListPartners(status_pb.ListPartnersRequest(page_size=200, page_token=t)), "partners"
    )
    result = []
    for partner in partners:
        card = (await b.status.GetPartnerCard(status_pb.GetPartnerCardRequest(partner_id=partner.partner_id))).card
        if card.HasField("pending") and card.pending.state == card_pb2.CARD_REVISION_STATE_PENDING:
            result.append(
                QueueItem(
                    item_id=card.pending.revision_id,
                    href=f"/staff/card-changes/{partner.partner_id}",
                    started=when(card.pending, "propose_time"),
                    due="",
                    cells={
                        "company": partner.company_name,
                        "proposed_by": card.pending.proposed_by,
                        "submitted": when(card.pending, "propose_time"),
                    },
                )
            )
    return result


async def _projects(b: Backends, today: date) -> list[QueueItem]:
    projects = await all_pages(
        lambda t: b.points.ListProjects(
            points_pb.ListProjectsRequest(state=project_pb2.PROJECT_STATE_UNDER_REVIEW, page_size=200, page_token=t)
        ),
        "projects",
    )
    names = await _names(b)
    return [
        QueueItem(
            item_id=p.project_id,
            href=f"/staff/projects/{p.project_id}",
            started=when(p, "submit_time"),
            due=p.review_due_date,
            cells={
                "company": names.get(p.partner_id, p.partner_id),
                "title": p.title or p.site_url,
                "site": p.site_url,
                "submitted": when(p, "submit_time"),
                "due": p.review_due_date,
            },
        )
        for p in projects
    ]


async def _point_requests(b: Backends, today: date) -> list[QueueItem]:
    requests = await all_pages(
        lambda t: b.points.ListPointRequests(
            points_pb.ListPointRequestsRequest(
                state=point_request_pb2.POINT_REQUEST_STATE_PENDING, page_size=200, page_token=t
            )
        ),
        "point_requests",
    )
    names = await _names(b)
    return [
        QueueItem(
            item_id=r.point_request_id,
            href=f"/staff/point-requests/{r.point_request_id}",
            started=when(r, "submit_time"),
            due=r.due_date,
            cells={
                "company": names.get(r.partner_id, r.partner_id),
                "category": r.category,
                "requested": r.requested_points,
                "submitted": when(r, "submit_time"),
                "due": r.due_date,
            },
        )
        for r in requests
    ]


async def _cases(b: Backends, today: date) -> list[QueueItem]:
    cases: list[case_pb2.ViolationCase] = []
    for state in (case_pb2.CASE_STATE_OPEN, case_pb2.CASE_STATE_APPEALED):
        request = compliance_pb.ListCasesRequest(state=state, page_size=200)
        cases += await all_pages(partial(_list, b.compliance.ListCases, request), "cases")
    names = await _names(b)
    return [
        QueueItem(
            item_id=c.case_id,
            href=f"/staff/cases/{c.case_id}",
            started=when(c, "opened_time"),
            due=c.appeal.deadline_date if c.HasField("appeal") else "",
            cells={
                "company": names.get(c.partner_id, c.partner_id),
                "type": enum_key(case_pb2.ViolationType.Name(c.violation_type), "VIOLATION_TYPE_"),
                "state": enum_key(case_pb2.CaseState.Name(c.state), "CASE_STATE_"),
                "violation_date": c.violation_date,
                "opened": when(c, "opened_time"),
            },
        )
        for c in cases
    ]


async def _sanctions(b: Backends, today: date) -> list[QueueItem]:
    sanctions = await all_pages(
        lambda t: b.compliance.ListActiveSanctions(
            compliance_pb.ListActiveSanctionsRequest(page_size=200, page_token=t)
        ),
        "sanctions",
    )
    names = await _names(b)
    return [
        QueueItem(
            item_id=s.sanction_id,
            href=f"/staff/cases/{s.case_id}",
            started=s.start_date,
            due=s.end_date,
            cells={
                "company": names.get(s.partner_id, s.partner_id),
                "kind": enum_key(sanction_pb2.SanctionKind.Name(s.kind), "SANCTION_KIND_"),
                "start": s.start_date,
                "end": s.end_date or "до зняття",
                "case": s.case_id,
            },
        )
        for s in sanctions
    ]


async def _personal_data(b: Backends, today: date) -> list[QueueItem]:
    # The compliance API lists the requests open past a date: asked a year ahead, that is
    # every open request; "overdue" is then judged against today here (R-PD-05).
    horizon = (today + timedelta(days=366)).isoformat()
    requests = await all_pages(
        lambda t: b.compliance.ListOverduePersonalDataRequests(
            compliance_pb.ListOverduePersonalDataRequestsRequest(as_of_date=horizon, page_size=200, page_token=t)
        ),
        "personal_data_requests",
    )
    names = await _names(b)
    return [
        QueueItem(
            item_id=r.personal_data_request_id,
            href=f"/staff/personal-data#{r.personal_data_request_id}",
            started=r.received_date,
            due=r.due_date,
            cells={
                "company": names.get(r.partner_id, r.partner_id),
                "kind": enum_key(personal_data_pb2.PersonalDataRequestKind.Name(r.kind), "PERSONAL_DATA_REQUEST_KIND_"),
                "description": r.description,
                "received": r.received_date,
                "due": r.due_date,
            },
        )
        for r in requests
        if r.state == personal_data_pb2.PERSONAL_DATA_REQUEST_STATE_OPEN
    ]


async def _on_request_keys(b: Backends, today: date) -> list[QueueItem]:
    requests = await all_pages(
        partial(
            _list,
            b.licensing.ListOnRequestKeyRequests,
            licensing_pb.ListOnRequestKeyRequestsRequest(
                state=nfr_pb2.ON_REQUEST_KEY_REQUEST_STATE_PENDING, page_size=200
            ),
        ),
        "key_requests",
    )
    names = await _names(b)
    result = []
    for r in requests:
        checks = [getattr(r.checklist, f.name) for f in r.checklist.DESCRIPTOR.fields]
        result.append(
            QueueItem(
                item_id=r.key_request_id,
                href=f"/staff/queues/on-request-keys#{r.key_request_id}",
                started=when(r, "request_time"),
                due="",
                cells={
                    "company": names.get(r.partner_id, r.partner_id),
                    "site": r.site_url,
                    "edition": r.edition,
                    "checks": f"{sum(checks)} з {len(checks)}"
                    + ("; сайт на продукті" if r.site_on_product else "; сайт НЕ на продукті")
                    + ("; оригінальний дизайн" if r.original_design else "; шаблонний дизайн"),
                    "requested": when(r, "request_time"),
                },
            )
        )
    return result


async def _leads(b: Backends, today: date) -> list[QueueItem]:
    leads = await all_pages(
        partial(
            _list, b.status.ListLeads, status_pb.ListLeadsRequest(state=lead_pb2.LEAD_STATE_RECEIVED, page_size=200)
        ),
        "leads",
    )
    return [
        QueueItem(
            item_id=lead.lead_id,
            href=f"/staff/queues/leads#{lead.lead_id}",
            started=when(lead, "receive_time"),
            due="",
            cells={"city": lead.city, "description": lead.description, "received": when(lead, "receive_time")},
        )
        for lead in leads
    ]


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in (
        Queue(
            "applications",
            "Заявки на участь",
            "R-PRT-03",
            (("company", "Компанія"), ("city", "Місто"), ("state", "Стан"), ("submitted", "Подано"), ("due", "Термін")),
            _applications,
        ),
        Queue(
            "card-changes",
            "Зміни картки партнера",
            "R-CARD-02",
            (("company", "Компанія"), ("proposed_by", "Запропонував"), ("submitted", "Подано")),
            _card_changes,
        ),
        Queue(
            "projects",
            "Проєкти на модерації",
            "R-PRJ-01",
            (("company", "Партнер"), ("title", "Проєкт"), ("site", "Сайт"), ("submitted", "Подано"), ("due", "Термін")),
            _projects,
        ),
        Queue(
            "point-requests",
            "Запити додаткових балів",
            "R-PTS-03",
            (
                ("company", "Партнер"),
                ("category", "Категорія"),
                ("requested", "Бали"),
                ("submitted", "Подано"),
                ("due", "Термін"),
            ),
            _point_requests,
        ),
        Queue(
            "cases",
            "Справи про порушення",
            "R-VIO-01",
            (
                ("company", "Партнер"),
                ("type", "Вид"),
                ("state", "Стан"),
                ("violation_date", "Дата порушення"),
                ("opened", "Відкрито"),
            ),
            _cases,
        ),
        Queue(
            "sanctions",
            "Чинні санкції",
            "R-SAN-01",
            (("company", "Партнер"), ("kind", "Санкція"), ("start", "Початок"), ("end", "Кінець"), ("case", "Справа")),
            _sanctions,
        ),
        Queue(
            "leads",
            "Ліди на модерації",
            "R-LEAD-01",
            (("city", "Місто"), ("description", "Запит клієнта"), ("received", "Отримано")),
            _leads,
        ),
        Queue(
            "on-request-keys",
            "Запити NFR-ключа для власного сайту",
            "R-NFR-04",
            (
                ("company", "Партнер"),
                ("site", "Сайт"),
                ("edition", "Редакція"),
                ("checks", "Вимоги до сайту (R-NFR-05)"),
                ("requested", "Подано"),
            ),
            _on_request_keys,
        ),
        Queue(
            "personal-data",
            "Запити щодо персональних даних",
            "R-PD-05",
            (
                ("company", "Партнер"),
                ("kind", "Вид"),
                ("description", "Суть"),
                ("received", "Отримано"),
                ("due", "Термін"),
            ),
            _personal_data,
        ),
    )
}


@signed_in(staff=True)
async def dashboard(request: Request) -> Response:
    web = web_of(request)
    today = web.today()
    counts: list[dict[str, Any]] = []
    for queue in QUEUES.values():
        items = await attempt(queue.load(web.backends, today))
        if isinstance(items, Refusal):
            counts.append({"queue": queue, "count": None, "overdue": None, "refusal": items})
        else:
            counts.append({"queue": queue, "count": len(items), "overdue": sum(1 for i in items if i.overdue(today))})
    return render(request, "staff/dashboard.html", {"counts": counts})


@signed_in(staff=True)
async def queue_page(request: Request) -> Response:
    """One queue, oldest first, deadline and overdue marked; ``.csv`` exports it."""
    web = web_of(request)
    key = request.path_params["queue"]
    export = key.endswith(".csv")
    queue = QUEUES.get(key.removesuffix(".csv"))
    if queue is None:
        raise HTTPException(404)
    today = web.today()
    items = await attempt(queue.load(web.backends, today))
    if isinstance(items, Refusal):
        return refused(request, items, back="/staff")
    ordered = presenters.oldest_first(items)
    if export:
        columns = (*queue.columns, ("overdue", "Прострочено"))
        rows = [{**item.cells, "overdue": "так" if item.overdue(today) else ""} for item in ordered]
        return Response(
            presenters.to_csv(columns, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{queue.key}-{today.isoformat()}.csv"'},
        )
    return render(
        request,
        "staff/queue.html",
        {
            "queue": queue,
            "items": [
                {"item": i, "overdue": i.overdue(today), "days_left": presenters.days_left(i.due, today)}
                for i in ordered
            ],
        },
    )


# ---- moderated items: a detail page and the actions staff take on one item ----


@dataclass(frozen=True)
class Posted:
    """One staff action's input: the item's id from the path, the checked form, its
    ``request_id`` and the staff member's login."""

    item_id: str
    form: FormData
    request_id: str
    staff: str

    def field(self, name: str) -> str:
        return field(self.form, name)


@dataclass(frozen=True)
class Action:
    """One action on an item: the RPC call it makes, the message on success and, where it
    is not the item's usual place, where success leads (read from the answer)."""

    call: Callable[[Backends, Posted], Awaitable[Any]]
    done: str | Callable[[Any], str]
    then: Callable[[Posted, Any], str | None] = lambda posted, answer: None


@dataclass(frozen=True)
class Moderated:
    """A moderated thing: ``{path}/{item_id}`` shows it (when it has ``load``) and
    ``{path}/{item_id}/{action}`` acts on it. ``back`` (a refusal) and ``after`` (success)
    are URLs with ``{item_id}``."""

    path: str
    actions: Mapping[str, Action]
    back: str
    after: str
    load: Callable[[Backends, str], Awaitable[Any]] | None = None
    template: str = ""
    present: Callable[[Web, Any, str], dict[str, Any]] = lambda web, got, item_id: {}
    queue: str = ""

    def routes(self) -> list[Route]:
        staff = signed_in(staff=True)
        found = [Route(f"{self.path}/{{item_id}}/{{action}}", staff(self._act), methods=["POST"])]
        if self.load is not None:
            found.insert(0, Route(f"{self.path}/{{item_id}}", staff(self._page)))
        return found

    async def _page(self, request: Request) -> Response:
        assert self.load is not None
        web = web_of(request)
        item_id = request.path_params["item_id"]
        got = await attempt(self.load(web.backends, item_id))
        if isinstance(got, Refusal):
            return refused(request, got, back=f"/staff/queues/{self.queue}")
        return render(request, self.template, self.present(web, got, item_id))

    async def _act(self, request: Request) -> Response:
        form = await checked_form(request)
        action = self.actions.get(request.path_params["action"])
        if action is None:
            raise HTTPException(404)
        item_id = request.path_params["item_id"]
        posted = Posted(item_id, form, request_id_of(form), _staff_login(request))
        call = action.call(web_of(request).backends, posted)
        after = self.after.format(item_id=item_id)
        return await act(
            request,
            call,
            back=self.back.format(item_id=item_id),
            done=action.done,
            then=lambda answer: action.then(posted, answer) or after,
        )


def _pending(pending: bool, due_date: str, web: Web) -> dict[str, bool]:
    """Whether an item awaits a decision, and whether that is past its due date."""
    return {"pending": pending, "overdue": pending and presenters.is_overdue(due_date, web.today())}


# ---- applications (R-PRT-03/04) ----

_APPLICATION_PENDING = (partner_pb2.APPLICATION_STATE_UNDER_REVIEW, partner_pb2.APPLICATION_STATE_INFO_REQUESTED)


def _application(web: Web, got: Any, item_id: str) -> dict[str, Any]:
    a = got.application
    return {
        "a": a,
        "state": enum_key(partner_pb2.ApplicationState.Name(a.state), "APPLICATION_STATE_"),
        "legal_form": enum_key(partner_pb2.LegalForm.Name(a.data.legal_form), "LEGAL_FORM_"),
        "activities": [enum_key(partner_pb2.Activity.Name(x), "ACTIVITY_") for x in a.data.activities],
        "submitted": when(a, "submit_time"),
        **_pending(a.state in _APPLICATION_PENDING, a.review_due_date, web),
    }


def _approved_partner(posted: Posted, answer: Any) -> str | None:
    """After an approval, the new partner's page (R-PRT-04: Business status follows)."""
    partner_id: str = getattr(getattr(answer, "partner", None), "partner_id", "")
    return f"/staff/partners/{partner_id}" if partner_id else None


APPLICATIONS = Moderated(
    "/staff/applications",
    queue="applications",
    load=lambda b, item_id: b.status.GetApplication(status_pb.GetApplicationRequest(application_id=item_id)),
    template="staff/application.html",
    present=_application,
    back="/staff/applications/{item_id}",
    after="/staff/applications/{item_id}",
    actions={
        "approve": Action(
            lambda b, p: b.status.ApproveApplication(
                status_pb.ApproveApplicationRequest(
                    request_id=p.request_id, application_id=p.item_id, staff_login=p.staff
                )
            ),
            "Заявку схвалено: партнер отримав статус «Бізнес-партнер».",
            then=_approved_partner,
        ),
        "reject": Action(
            lambda b, p: b.status.RejectApplication(
                status_pb.RejectApplicationRequest(
                    request_id=p.request_id, application_id=p.item_id, reason=p.field("reason"), staff_login=p.staff
                )
            ),
            "Заявку відхилено.",
        ),
        "request-info": Action(
            lambda b, p: b.status.RequestApplicationInfo(
                status_pb.RequestApplicationInfoRequest(
                    request_id=p.request_id, application_id=p.item_id, note=p.field("note"), staff_login=p.staff
                )
            ),
            "Запит на додаткову інформацію надіслано.",
        ),
    },
)


# ---- card changes (R-CARD-02) ----


def _card_change(web: Web, got: Any, partner_id: str) -> dict[str, Any]:
    card = got.card
    pending = card.pending if card.HasField("pending") else None
    return {
        "partner_id": partner_id,
        "card": card,
        "pending": pending,
        "is_pending": pending is not None and pending.state == card_pb2.CARD_REVISION_STATE_PENDING,
        "missing": [enum_key(card_pb2.CardItem.Name(i), "CARD_ITEM_") for i in card.eligibility.missing_items],
    }


def _card_fields(p: Posted) -> dict[str, str]:
    return {
        "request_id": p.request_id,
        "partner_id": p.item_id,
        "revision_id": p.field("revision_id"),
        "note": p.field("note"),
        "staff_login": p.staff,
    }


CARD_CHANGES = Moderated(
    "/staff/card-changes",
    queue="card-changes",
    load=lambda b, item_id: b.status.GetPartnerCard(status_pb.GetPartnerCardRequest(partner_id=item_id)),
    template="staff/card_change.html",
    present=_card_change,
    back="/staff/card-changes/{item_id}",
    after="/staff/queues/card-changes",
    actions={
        "approve": Action(
            lambda b, p: b.status.ApproveCardChange(status_pb.ApproveCardChangeRequest(**_card_fields(p))),
            "Зміни картки опубліковано.",
        ),
        "reject": Action(
            lambda b, p: b.status.RejectCardChange(status_pb.RejectCardChangeRequest(**_card_fields(p))),
            "Зміни картки відхилено.",
        ),
    },
)


# ---- projects (R-PRJ-01..08) ----


def _project(web: Web, got: Any, item_id: str) -> dict[str, Any]:
    p = got.project
    return {
        "p": p,
        "state": enum_key(project_pb2.ProjectState.Name(p.state), "PROJECT_STATE_"),
        "submitted": when(p, "submit_time"),
        **_pending(p.state == project_pb2.PROJECT_STATE_UNDER_REVIEW, p.review_due_date, web),
    }


PROJECTS = Moderated(
    "/staff/projects",
    queue="projects",
    load=lambda b, item_id: b.points.GetProject(points_pb.GetProjectRequest(project_id=item_id)),
    template="staff/project.html",
    present=_project,
    back="/staff/projects/{item_id}",
    after="/staff/projects/{item_id}",
    actions={
        "approve": Action(
            lambda b, p: b.points.ApproveProject(
                points_pb.ApproveProjectRequest(
                    request_id=p.request_id, project_id=p.item_id, decided_by=p.staff, note=p.field("note")
                )
            ),
            "Проєкт схвалено, бали нараховано.",
        ),
        "reject": Action(
            lambda b, p: b.points.RejectProject(
                points_pb.RejectProjectRequest(
                    request_id=p.request_id,
                    project_id=p.item_id,
                    decided_by=p.staff,
                    moderator_note=p.field("moderator_note"),
                )
            ),
            "Проєкт відхилено з приміткою модератора.",
        ),
    },
)


# ---- point requests (R-PTS-03) ----


def _point_request(web: Web, got: Any, item_id: str) -> dict[str, Any]:
    r = got.point_request
    return {
        "r": r,
        "state": enum_key(point_request_pb2.PointRequestState.Name(r.state), "POINT_REQUEST_STATE_"),
        "submitted": when(r, "submit_time"),
        **_pending(r.state == point_request_pb2.POINT_REQUEST_STATE_PENDING, r.due_date, web),
    }


POINT_REQUESTS = Moderated(
    "/staff/point-requests",
    queue="point-requests",
    load=lambda b, item_id: b.points.GetPointRequest(points_pb.GetPointRequestRequest(point_request_id=item_id)),
    template="staff/point_request.html",
    present=_point_request,
    back="/staff/point-requests/{item_id}",
    after="/staff/point-requests/{item_id}",
    actions={
        # Grant all, fewer (with a reason), or none.
        "decide": Action(
            lambda b, p: b.points.DecidePointRequest(
                points_pb.DecidePointRequestRequest(
                    request_id=p.request_id,
                    point_request_id=p.item_id,
                    granted_points=p.field("granted_points"),
                    reason=p.field("reason"),
                    decided_by=p.staff,
                )
            ),
            lambda answer: f"Рішення записано: нараховано {answer.point_request.granted_points or '0'} балів.",
        ),
    },
)


# ---- violation cases and sanctions (R-VIO-01, R-SAN-01..10) ----


async def _load_case(b: Backends, case_id: str) -> tuple[Any, Any]:
    """The case and, when the timeline answers, the partner's sanction timeline."""
    got = await b.compliance.GetCase(compliance_pb.GetCaseRequest(case_id=case_id))
    timeline = await attempt(
        b.compliance.ListSanctionTimeline(
            compliance_pb.ListSanctionTimelineRequest(partner_id=got.case.partner_id, page_size=200)
        )
    )
    return got, timeline


def _case(web: Web, loaded: tuple[Any, Any], case_id: str) -> dict[str, Any]:
    got, timeline = loaded
    c = got.case
    sanctions: dict[str, Any] = {}
    if not isinstance(timeline, Refusal):
        for entry in timeline.entries:
            if entry.sanction.case_id == case_id:
                sanctions[entry.sanction.sanction_id] = entry.sanction
    return {
        "c": c,
        "type": enum_key(case_pb2.ViolationType.Name(c.violation_type), "VIOLATION_TYPE_"),
        "state": enum_key(case_pb2.CaseState.Name(c.state), "CASE_STATE_"),
        "opened": when(c, "opened_time"),
        "open": c.state == case_pb2.CASE_STATE_OPEN,
        "confirmed": c.state in (case_pb2.CASE_STATE_CONFIRMED, case_pb2.CASE_STATE_APPEAL_REJECTED),
        "sanctions": [
            {
                "s": s,
                "kind": enum_key(sanction_pb2.SanctionKind.Name(s.kind), "SANCTION_KIND_"),
                "applied": s.state == sanction_pb2.SANCTION_STATE_APPLIED,
            }
            for s in sanctions.values()
        ],
        "sanction_kinds": [
            enum_key(name, "SANCTION_KIND_")
            for name in sanction_pb2.SanctionKind.keys()  # noqa: SIM118 - an enum wrapper, not a dict
            if name != "SANCTION_KIND_UNSPECIFIED"
        ],
        "target_tiers": ["BUSINESS", "CERTIFIED"],
    }


def _apply_sanction(b: Backends, p: Posted) -> Awaitable[Any]:
    kind = p.field("kind")
    if f"SANCTION_KIND_{kind}" not in sanction_pb2.SanctionKind.keys():  # noqa: SIM118 - an enum wrapper
        raise HTTPException(400, "kind: невідомий вид санкції")
    target = p.field("target_tier")
    return b.compliance.ApplySanction(
        compliance_pb.ApplySanctionRequest(
            request_id=p.request_id,
            case_id=p.item_id,
            kind=sanction_pb2.SanctionKind.Value(f"SANCTION_KIND_{kind}"),
            start_date=p.field("start_date"),
            end_date=p.field("end_date"),
            parameters=sanction_pb2.SanctionParameters(
                target_tier=sanction_pb2.SanctionTargetTier.Value(
                    f"SANCTION_TARGET_TIER_{target if target in ('BUSINESS', 'CERTIFIED') else 'UNSPECIFIED'}"
                ),
                competency_codes=[c for c in p.field("competency_codes").replace(",", " ").split() if c],
            ),
            actor_id=p.staff,
        )
    )


CASES = Moderated(
    "/staff/cases",
    queue="cases",
    load=_load_case,
    template="staff/case.html",
    present=_case,
    back="/staff/cases/{item_id}",
    after="/staff/cases/{item_id}",
    actions={
        "confirm": Action(
            lambda b, p: b.compliance.ConfirmCase(
                compliance_pb.ConfirmCaseRequest(
                    request_id=p.request_id, case_id=p.item_id, reason=p.field("reason"), actor_id=p.staff
                )
            ),
            "Порушення підтверджено.",
        ),
        "dismiss": Action(
            lambda b, p: b.compliance.DismissCase(
                compliance_pb.DismissCaseRequest(
                    request_id=p.request_id, case_id=p.item_id, reason=p.field("reason"), actor_id=p.staff
                )
            ),
            "Справу закрито без санкцій.",
        ),
        "sanction": Action(_apply_sanction, "Санкцію застосовано."),
        "lift": Action(
            lambda b, p: b.compliance.LiftSanction(
                compliance_pb.LiftSanctionRequest(
                    request_id=p.request_id, sanction_id=p.field("sanction_id"), note=p.field("note"), actor_id=p.staff
                )
            ),
            "Санкцію знято достроково.",
        ),
    },
)


# ---- personal data (R-PD-02..05) ----

PERSONAL_DATA = Moderated(
    "/staff/personal-data",
    back="/staff/queues/personal-data",
    after="/staff/queues/personal-data",
    actions={
        "complete": Action(
            lambda b, p: b.compliance.CompletePersonalDataRequest(
                compliance_pb.CompletePersonalDataRequestRequest(
                    request_id=p.request_id, personal_data_request_id=p.item_id, note=p.field("note"), actor_id=p.staff
                )
            ),
            "Запит щодо персональних даних виконано.",
        ),
    },
)


# ---- leads (R-LEAD-01: moderated before distribution) ----


def _moderate_lead(approve: bool) -> Callable[[Backends, Posted], Awaitable[Any]]:
    return lambda b, p: b.status.ModerateLead(
        status_pb.ModerateLeadRequest(
            request_id=p.request_id, lead_id=p.item_id, approve=approve, note=p.field("note"), staff_login=p.staff
        )
    )


LEADS = Moderated(
    "/staff/leads",
    back="/staff/queues/leads",
    after="/staff/queues/leads",
    actions={
        "approve": Action(_moderate_lead(True), "Лід схвалено для розподілу."),
        "reject": Action(_moderate_lead(False), "Лід відхилено."),
    },
)


# ---- on-request NFR keys (R-NFR-04/05) ----

ON_REQUEST_KEYS = Moderated(
    "/staff/on-request-keys",
    back="/staff/queues/on-request-keys",
    after="/staff/queues/on-request-keys",
    actions={
        "approve": Action(
            lambda b, p: b.licensing.ApproveOnRequestKey(
                licensing_pb.ApproveOnRequestKeyRequest(
                    request_id=p.request_id, key_request_id=p.item_id, note=p.field("note")
                )
            ),
            "Ключ для власного сайту видано.",
        ),
        "reject": Action(
            lambda b, p: b.licensing.RejectOnRequestKey(
                licensing_pb.RejectOnRequestKeyRequest(
                    request_id=p.request_id, key_request_id=p.item_id, reason=p.field("note")
                )
            ),
            "Запит на ключ відхилено.",
        ),
    },
)

MODERATED = (APPLICATIONS, CARD_CHANGES, PROJECTS, POINT_REQUESTS, CASES, PERSONAL_DATA, LEADS, ON_REQUEST_KEYS)


# ---- partners ----


@signed_in(staff=True)
async def partners_page(request: Request) -> Response:
    web = web_of(request)
    export = request.url.path.endswith(".csv")
    partners = await attempt(
        all_pages(
            lambda t: web.backends.status.ListPartners(
                status_pb.ListPartnersRequest(include_terminated=True, page_size=200, page_token=t)
            ),
            "partners",
        )
    )
    if isinstance(partners, Refusal):
        return refused(request, partners, back="/staff")
    rows = [
        {
            "partner_id": p.partner_id,
            "company": p.company_name,
            "city": p.city,
            "tier": enum_key(status_pb2.PartnerTier.Name(p.tier), "PARTNER_TIER_"),
            "active_points": str(p.active_points),
            "approved": p.approve_date,
            "terminated": "так" if p.termination.in_effect else "",
        }
        for p in partners
    ]
    rows.sort(key=lambda r: r["company"].casefold())
    columns = (
        ("partner_id", "Ідентифікатор"),
        ("company", "Компанія"),
        ("city", "Місто"),
        ("tier", "Статус"),
        ("active_points", "Активні бали"),
        ("approved", "Схвалено"),
        ("terminated", "Припинено"),
    )
    if export:
        return Response(
            presenters.to_csv(columns, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="partners.csv"'},
        )
    return render(request, "staff/partners.html", {"rows": rows})


@signed_in(staff=True)
async def partner_page(request: Request) -> Response:
    """The whole partner view, its status history with policy versions, its ledger with sources."""
    web = web_of(request)
    partner_id = request.path_params["partner_id"]
    b = web.backends
    partner = await attempt(b.status.GetPartner(status_pb.GetPartnerRequest(partner_id=partner_id)))
    if isinstance(partner, Refusal):
        return refused(request, partner, back="/staff/partners")
    cabinet = await attempt(b.gateway.GetPartnerCabinet(gateway_pb.GetPartnerCabinetRequest(partner_id=partner_id)))
    history = await attempt(
        all_pages(
            lambda t: b.status.ListStatusHistory(
                status_pb.ListStatusHistoryRequest(partner_id=partner_id, page_size=200, page_token=t)
            ),
            "entries",
        )
    )
    ledger = await attempt(
        all_pages(
            lambda t: b.points.ListLedgerEntries(
                points_pb.ListLedgerEntriesRequest(partner_id=partner_id, page_size=200, page_token=t)
            ),
            "entries",
        )
    )
    return render(
        request,
        "staff/partner.html",
        {
            "p": partner.partner,
            "tier": enum_key(status_pb2.PartnerTier.Name(partner.partner.tier), "PARTNER_TIER_"),
            "view": partner_view(cabinet),
            "history": history
            if isinstance(history, Refusal)
            else [
                {
                    "from": enum_key(status_pb2.PartnerTier.Name(h.from_tier), "PARTNER_TIER_"),
                    "to": enum_key(status_pb2.PartnerTier.Name(h.to_tier), "PARTNER_TIER_"),
                    "when": when(h, "change_time"),
                    "reason": enum_key(status_pb2.StatusChangeReason.Name(h.reason), "STATUS_CHANGE_REASON_"),
                    "policy_version": h.policy_version,
                    "valid_until": h.valid_until_date,
                }
                for h in history
            ],
            "ledger": ledger
            if isinstance(ledger, Refusal)
            else [
                {
                    "accrued": when(e, "accrued_time"),
                    "expires": when(e, "expire_time"),
                    "kind": enum_key(ledger_pb2.PointKind.Name(e.kind), "POINT_KIND_"),
                    "source": enum_key(ledger_pb2.SourceType.Name(e.source_type), "SOURCE_TYPE_"),
                    "source_id": e.source_id,
                    "points": e.points,
                    "decided_by": e.decided_by,
                    "policy_version": e.policy_version,
                    "note": e.note or e.withheld_reason,
                }
                for e in sorted(ledger, key=lambda e: when(e, "accrued_time"), reverse=True)
            ],
        },
    )


def routes() -> list[Route]:
    return [
        Route("/staff", dashboard, name="staff"),
        Route("/staff/queues/{queue}", queue_page, name="staff_queue"),
        *(route for item in MODERATED for route in item.routes()),
        Route("/staff/partners", partners_page),
        Route("/staff/partners.csv", partners_page),
        Route("/staff/partners/{partner_id}", partner_page),
    ]
