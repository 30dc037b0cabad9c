"""The web pages as one ASGI app: the public directory at ``/``, sign-in under ``/auth``,
the partner cabinet under ``/cabinet`` and the staff console under ``/staff``; static
files under ``/static`` (shipped in the package, nothing fetched at run time).

The gateway's HTTP side mounts it (``web_mount``); tests may serve it alone.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gateway_service.web import cabinet, policy, public, signin, staff
from gateway_service.web.backends import Backends
from gateway_service.web.identity import TokenMinter
from gateway_service.web.pages import HERE, Web, WebConfig, make_templates, render
from ppcore.auth import TokenIssuer
from ppcore.clock import Clock
from ppcore.policy import ProgramPolicy

SESSION_COOKIE = "pp_session"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, status_code=exc.status_code)


async def _healthz(request: Request) -> Response:
    return Response("ok", media_type="text/plain")


def web_routes(config: WebConfig) -> list[BaseRoute]:
    return [
        *public.routes(),
        *signin.routes(config),
        *cabinet.routes(),
        *staff.routes(),
        *policy.routes(),
        Route("/web/healthz", _healthz),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]


def build_web(
    config: WebConfig,
    *,
    backends: Backends,
    issuer: TokenIssuer,
    clock: Clock,
    policy: ProgramPolicy,
) -> Starlette:
    app = Starlette(
        routes=web_routes(config),
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=config.session_secret,
                session_cookie=SESSION_COOKIE,
                max_age=8 * 3600,
                same_site="lax",
                https_only=config.secure_cookies,
            )
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.web = Web(
        config=config,
        backends=backends,
        minter=TokenMinter(issuer),
        clock=clock,
        policy=policy,
        templates=make_templates(),
    )
    return app


def web_mount(app: Starlette) -> Mount:
    """The pages as one mount at the root, listed after the gateway's own API routes."""
    return Mount("", app=app, name="web")
