"""Sign-in: OIDC in production (Authlib), and on the embedded run only a development
sign-in that picks a demo staff member or partner login.

Either way the person is resolved the same way: staff by the identity provider's group
(or the development choice), a partner login through the status service's ``GetAccess``
(partner, role and access groups as status records them, R-EMP-01..05).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway_service.web import presenters
from gateway_service.web.backends import Refusal, attempt
from gateway_service.web.identity import Person, sign_in, sign_out, use_token
from gateway_service.web.pages import WebConfig, checked_form, field, flash, render, see_other, web_of
from partnerprogram.status.v1 import employee_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.auth import CallerKind
from ppcore.personal_data import PERSONAL_DATA_GROUP


def _safe_next(target: str, default: str) -> str:
    # Only paths of this site: never an open redirect to another host.
    return target if target.startswith("/") and not target.startswith("//") else default


async def _partner_person(request: Request, login: str, name: str) -> Person | Refusal:
    web = web_of(request)
    use_token(web.minter.for_system())
    access = await attempt(web.backends.status.GetAccess(status_pb.GetAccessRequest(login=login)))
    if isinstance(access, Refusal):
        return access
    return Person(
        kind=CallerKind.PARTNER_USER,
        login=login,
        name=name or login,
        partner_id=access.partner_id,
        role=presenters.enum_key(employee_pb2.Role.Name(access.role), "ROLE_"),
        groups=tuple(
            presenters.enum_key(employee_pb2.AccessGroup.Name(g), "ACCESS_GROUP_") for g in access.access_groups
        ),
    )


def _landing(person: Person) -> str:
    return "/staff" if person.is_staff else "/cabinet"


async def signin_page(request: Request) -> Response:
    web = web_of(request)
    return render(
        request,
        "signin.html",
        {
            "next": _safe_next(request.query_params.get("next", ""), ""),
            "oidc": web.config.oidc_enabled,
            "demo_logins": web.config.demo_logins,
        },
    )


async def dev_signin(request: Request) -> Response:
    """R-EMP-01..05 decide what the chosen login may do; this only says who it is."""
    web = web_of(request)
    if not web.config.dev_signin:
        raise HTTPException(404)
    form = await checked_form(request)
    who = field(form, "who")
    next_path = field(form, "next")
    if who.startswith("staff:"):
        # The demo moderator works the card and survey queues, which show contacts (R-PD-01).
        person: Person | Refusal = Person(
            kind=CallerKind.STAFF, login=who, name=who.removeprefix("staff:"), groups=(PERSONAL_DATA_GROUP,)
        )
    else:
        login = who or field(form, "login")
        if not login:
            flash(request, "Оберіть особу або введіть логін.", "error")
            return see_other("/auth/signin")
        person = await _partner_person(request, login, login)
    if isinstance(person, Refusal):
        flash(request, f"Такого логіна немає серед партнерів: {person.message}", "error")
        return see_other("/auth/signin")
    sign_in(request.session, person)
    return see_other(_safe_next(next_path, _landing(person)))


async def signout(request: Request) -> Response:
    await checked_form(request)
    sign_out(request.session)
    return see_other("/")


def oidc_routes(config: WebConfig) -> list[Route]:
    """The authorization-code flow with the configured OpenID provider."""
    oauth = OAuth()
    oauth.register(
        "provider",
        client_id=config.oidc_client_id,
        client_secret=config.oidc_client_secret,
        server_metadata_url=config.oidc_issuer_url.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"},
    )
    client: Any = oauth.create_client("provider")

    async def login(request: Request) -> Response:
        response: Response = await client.authorize_redirect(request, str(request.url_for("oidc_callback")))
        return response

    async def callback(request: Request) -> Response:
        try:
            token = await client.authorize_access_token(request)
        except OAuthError as error:
            flash(request, f"Вхід не вдався: {error.error}", "error")
            return see_other("/auth/signin")
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        login = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub", ""))
        name = str(claims.get("name") or login)
        groups = tuple(str(g) for g in claims.get("groups") or ())
        if config.oidc_staff_group in groups:
            # Staff see personal data only when the identity provider puts them in its group (R-PD-01).
            person: Person | Refusal = Person(
                kind=CallerKind.STAFF,
                login=f"staff:{login}",
                name=name,
                groups=(PERSONAL_DATA_GROUP,) if PERSONAL_DATA_GROUP in groups else (),
            )
        else:
            person = await _partner_person(request, login, name)
        if isinstance(person, Refusal):
            flash(request, "Цей обліковий запис не прив'язаний до партнера програми.", "error")
            return see_other("/auth/signin")
        sign_in(request.session, person)
        return see_other(_landing(person))

    return [
        Route("/auth/oidc/login", login, name="oidc_login"),
        Route("/auth/oidc/callback", callback, name="oidc_callback"),
    ]


def routes(config: WebConfig) -> list[Route]:
    result = [
        Route("/auth/signin", signin_page, name="signin"),
        Route("/auth/signout", signout, methods=["POST"], name="signout"),
    ]
    if config.dev_signin:
        result.append(Route("/auth/dev", dev_signin, methods=["POST"], name="dev_signin"))
    if config.oidc_enabled:
        result.extend(oidc_routes(config))
    return result
