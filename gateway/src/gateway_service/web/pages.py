"""What every page handler shares: templates, the signed-in person, CSRF, flash messages,
fresh request ids for forms, and the rendering of a refusal."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from gateway_service.web import presenters
from gateway_service.web.backends import Backends, Refusal, attempt
from gateway_service.web.identity import Person, TokenMinter, use_token
from ppcore.clock import Clock, kyiv_date
from ppcore.policy import ProgramPolicy

HERE = Path(__file__).parent


@dataclass(frozen=True)
class WebConfig:
    """Settings of the pages (from GatewaySettings in the composition root)."""

    session_secret: str
    # The development sign-in (pick a demo person): only on the embedded run, never in production.
    dev_signin: bool = False
    # OIDC sign-in for production; off while the issuer is empty.
    oidc_issuer_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_staff_group: str = "partner-program-staff"
    secure_cookies: bool = False
    # Demo logins offered by the development sign-in (login, what it is).
    demo_logins: tuple[tuple[str, str], ...] = ()

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer_url and self.oidc_client_id)


@dataclass
class Web:
    """What the handlers need, built once by :func:`gateway_service.web.app.build_web`."""

    config: WebConfig
    backends: Backends
    minter: TokenMinter
    clock: Clock
    policy: ProgramPolicy
    templates: Jinja2Templates

    def today(self) -> date:
        return kyiv_date(self.clock.now())

    def thresholds(self) -> tuple[tuple[str, int], ...]:
        statuses = self.policy.statuses
        return (
            (presenters.TIER_LABELS["CERTIFIED"], statuses.certified.min_active_points),
            (presenters.TIER_LABELS["GOLD"], statuses.gold.min_active_points),
        )


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.globals["labels"] = presenters
    env.filters["tier"] = lambda v: presenters.label(presenters.TIER_LABELS, v)
    env.filters["state"] = lambda v: presenters.label(presenters.STATE_LABELS, v)
    env.filters["competency"] = lambda v: presenters.label(presenters.COMPETENCY_LABELS, v)
    env.filters["sanction"] = lambda v: presenters.label(presenters.SANCTION_LABELS, v)
    env.filters["violation"] = lambda v: presenters.label(presenters.VIOLATION_LABELS, v)
    env.filters["source"] = lambda v: presenters.label(presenters.SOURCE_LABELS, v)
    env.filters["pd_kind"] = lambda v: presenters.label(presenters.PD_KIND_LABELS, v)
    env.filters["change_reason"] = lambda v: presenters.label(presenters.CHANGE_REASON_LABELS, v)
    env.filters["condition"] = lambda v: presenters.label(presenters.CONDITION_LABELS, v)
    env.filters["category"] = lambda v: presenters.label(presenters.POINT_REQUEST_CATEGORIES, v)
    env.filters["contract"] = lambda v: presenters.label(presenters.CONTRACT_LABELS, v)
    env.filters["entitlement"] = lambda v: presenters.label(presenters.ENTITLEMENT_LABELS, v)
    env.filters["role"] = lambda v: presenters.label(presenters.ROLE_LABELS, v)
    env.filters["state_any"] = presenters.any_state
    return templates


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def person_of(request: Request) -> Person | None:
    return Person.from_session(request.session)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, after the CSRF check (the token in the form matches the session's)."""
    form = await request.form()
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(str(form.get("csrf", "")), str(expected)):
        raise HTTPException(403, "Форму надіслано не з цієї сторінки (CSRF). Оновіть сторінку й спробуйте ще раз.")
    return form


def field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def request_id_of(form: FormData) -> str:
    """The idempotency key rendered into the form: a double submit sends the same one."""
    value = field(form, "request_id")
    if not value:
        raise HTTPException(400, "request_id: форма без ідентифікатора запиту")
    return value


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status_code: int = 200
) -> Response:
    web = web_of(request)
    messages = request.session.pop("flash", [])
    base = {
        "person": person_of(request),
        "csrf": csrf_token(request),
        "new_request_id": lambda: uuid.uuid4().hex,
        "flashes": messages,
        "today": web.today(),
        "dev_signin": web.config.dev_signin,
    }
    return web.templates.TemplateResponse(request, template, {**base, **(context or {})}, status_code=status_code)


def refused(request: Request, refusal: Refusal, *, back: str) -> Response:
    return render(request, "refused.html", {"refusal": refusal, "back": back}, status_code=refusal.http_status)


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def act(
    request: Request,
    call: Awaitable[Any],
    *,
    back: str,
    done: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
) -> Response:
    """A form's RPC: a refusal is shown with the way ``back``; an answer flashes ``done`` and
    redirects to ``then`` (either may be read from the answer)."""
    answer = await attempt(call)
    if isinstance(answer, Refusal):
        return refused(request, answer, back=back)
    flash(request, done(answer) if callable(done) else done)
    return see_other(then(answer) if callable(then) else then)


Handler = Callable[[Request], Awaitable[Response]]


def signed_in(*, staff: bool) -> Callable[[Handler], Handler]:
    """Pages for a signed-in person of one kind: staff (console) or partner user (cabinet).

    The person's token is minted for this request; the services then apply their own rules."""

    def wrap(handler: Handler) -> Handler:
        async def page(request: Request) -> Response:
            person = person_of(request)
            if person is None:
                return RedirectResponse(f"/auth/signin?next={request.url.path}", status_code=303)
            if person.is_staff != staff:
                raise HTTPException(403, "Ця сторінка для іншої ролі. Увійдіть як потрібна особа.")
            use_token(web_of(request).minter.for_person(person))
            return await handler(request)

        page.__name__ = handler.__name__
        page.__doc__ = handler.__doc__
        return page

    return wrap


def public_page(handler: Handler) -> Handler:
    """Public pages: no person; the public RPCs are called as the web itself."""

    async def page(request: Request) -> Response:
        use_token(web_of(request).minter.for_system())
        return await handler(request)

    page.__name__ = handler.__name__
    return page
