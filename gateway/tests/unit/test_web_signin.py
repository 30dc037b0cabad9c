"""Sign-in choices of the web pages: the development sign-in exists only when its setting
is on (make run), OIDC only when configured; a form without the session's CSRF token is
refused. No backend is called here (the channels point nowhere)."""

from __future__ import annotations

from starlette.routing import Route
from starlette.testclient import TestClient

from gateway_service.web.app import build_web
from gateway_service.web.backends import Addresses, Backends
from gateway_service.web.pages import WebConfig
from ppcore.auth import TokenIssuer
from ppcore.clock import SystemClock
from ppcore.policy import load_policy

NOWHERE = Addresses(status="127.0.0.1:9", points="127.0.0.1:9", licensing="127.0.0.1:9", compliance="127.0.0.1:9")


def _app(**config: object):
    issuer = TokenIssuer(
        algorithm="HS256", clock=SystemClock(), secret="x" * 32, issuer="partnerprogram", audience="partnerprogram"
    )
    return build_web(
        WebConfig(session_secret="s" * 32, **config),  # type: ignore[arg-type]
        backends=Backends.open(NOWHERE),
        issuer=issuer,
        clock=SystemClock(),
        policy=load_policy(),
    )


def _paths(app) -> set[str]:
    return {r.path for r in app.routes if isinstance(r, Route)}


async def test_the_development_sign_in_is_off_unless_its_setting_is_on():
    production = _app()
    assert "/auth/dev" not in _paths(production)
    with TestClient(production) as client:
        page = client.get("/auth/signin")
        assert page.status_code == 200
        assert "Вхід для розробки" not in page.text
        assert client.post("/auth/dev", data={"who": "staff:moderator"}).status_code in (404, 405)
    local = _app(dev_signin=True, demo_logins=(("zirka-main", "demo"),))
    assert "/auth/dev" in _paths(local)
    with TestClient(local) as client:
        page = client.get("/auth/signin")
        assert "Вхід для розробки" in page.text and "zirka-main" in page.text


async def test_oidc_routes_exist_only_when_an_issuer_is_configured():
    assert "/auth/oidc/login" not in _paths(_app())
    configured = _app(oidc_issuer_url="https://id.example.ua/realms/pp", oidc_client_id="partner-web")
    assert {"/auth/oidc/login", "/auth/oidc/callback"} <= _paths(configured)


async def test_a_form_without_the_session_csrf_token_is_refused_and_staff_pages_need_sign_in():
    with TestClient(_app(dev_signin=True)) as client:
        assert client.post("/auth/dev", data={"who": "staff:moderator", "csrf": "forged"}).status_code == 403
        console = client.get("/staff", follow_redirects=False)
        assert console.status_code == 303 and console.headers["location"].startswith("/auth/signin")
