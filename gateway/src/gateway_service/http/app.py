"""The gateway's ASGI app: the HTTP/JSON API transcoded from the protos, its OpenAPI
document, a liveness probe, and whatever else the composition root mounts (web pages).

``create_http_app`` is the one factory: the composition root passes the API routes and
any extra routes or mounts, so every HTTP surface of the process shares one server, one
CORS policy and one shutdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

HEALTH_PATH = "/healthz"


async def _health(_: Request) -> Response:
    return JSONResponse({"status": "SERVING"})


def create_http_app(
    *,
    api_routes: Sequence[BaseRoute] = (),
    extra_routes: Sequence[BaseRoute] = (),
    cors_origins: Sequence[str] = (),
) -> Starlette:
    """The ASGI app of the gateway.

    ``api_routes`` are the transcoded gRPC methods and the OpenAPI document; ``extra_routes``
    are further routes or mounts (for example server-rendered pages), matched after them.
    ``cors_origins`` are the vendor's sites allowed to call the API from a browser; bearer
    tokens travel in the ``Authorization`` header, never in cookies, so credentials stay off.
    """
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
            expose_headers=["X-Request-Id"],
            max_age=600,
        )
    ]
    routes: list[BaseRoute] = [Route(HEALTH_PATH, _health, methods=["GET"]), *api_routes, *extra_routes]
    return Starlette(routes=routes, middleware=middleware)
