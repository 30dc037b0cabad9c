"""Call one RPC of a running service from the command line, as an internal system.

    python -m ppcore.invoke 127.0.0.1:50052 partnerprogram.points.v1.PointsService/RunDailyTotals '{}'

Used by the Kubernetes CronJobs (the daily jobs) and handy for ops. Settings are
environment variables prefixed ``INVOKE_`` (:class:`InvokeSettings`): the token is minted
from ``INVOKE_JWT_SECRET`` (HS256) or ``INVOKE_JWT_PRIVATE_KEY_FILE`` +
``INVOKE_JWT_ALGORITHM``; TLS from ``INVOKE_TLS_CA_FILE``/``_CERT_FILE``/``_KEY_FILE``. A
request with an empty ``request_id`` gets a fresh one, so every write carries one.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import pkgutil
import sys
import uuid
from pathlib import Path
from typing import Any, Literal

from google.protobuf import descriptor_pool, json_format, message_factory
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

import partnerprogram
from ppcore.auth import Caller, CallerKind, TokenIssuer
from ppcore.client import ClientTls, make_channel
from ppcore.clock import SystemClock
from ppcore.settings import load_settings


class InvokeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INVOKE_", extra="ignore", frozen=True)

    jwt_secret: SecretStr | None = None
    jwt_private_key_file: Path | None = None
    jwt_algorithm: Literal["HS256", "RS256", "ES256", "EdDSA"] = "HS256"
    jwt_issuer: str = "partnerprogram"
    jwt_audience: str = "partnerprogram"
    # Who the called service sees (CallerKind.SYSTEM), e.g. system:cronjob:points-daily-totals.
    subject: str = "system:invoke"
    tls_ca_file: Path | None = None
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None


def _load_generated_modules() -> None:
    for info in pkgutil.walk_packages(partnerprogram.__path__, "partnerprogram."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)


async def invoke(address: str, method: str, body: str, deadline: float, settings: InvokeSettings) -> str:
    _load_generated_modules()
    service_name, _, method_name = method.partition("/")
    service = descriptor_pool.Default().FindServiceByName(service_name)
    method_descriptor = service.FindMethodByName(method_name)
    if method_descriptor is None:
        raise SystemExit(f"{service_name} has no method {method_name}")
    request_cls = message_factory.GetMessageClass(method_descriptor.input_type)
    response_cls = message_factory.GetMessageClass(method_descriptor.output_type)
    request: Any = json_format.Parse(body, request_cls())
    if "request_id" in request.DESCRIPTOR.fields_by_name and not request.request_id:
        request.request_id = f"invoke-{uuid.uuid4().hex}"
    s = settings
    issuer = TokenIssuer(
        algorithm=s.jwt_algorithm,
        clock=SystemClock(),
        secret=s.jwt_secret.get_secret_value() if s.jwt_secret else None,
        private_key_file=s.jwt_private_key_file,
        issuer=s.jwt_issuer,
        audience=s.jwt_audience,
    )
    token = issuer.mint(Caller(CallerKind.SYSTEM, s.subject))
    tls = ClientTls(s.tls_ca_file, s.tls_cert_file, s.tls_key_file) if s.tls_ca_file else None
    channel = make_channel(address, token=lambda: token, tls=tls, deadline_seconds=deadline)
    try:
        call: Any = channel.unary_unary(
            f"/{service_name}/{method_name}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_cls.FromString,
        )
        response = await call(request)
    finally:
        await channel.close()
    return json_format.MessageToJson(response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("address")
    parser.add_argument("method", help="package.Service/Method")
    parser.add_argument("body", nargs="?", default="{}", help="the request as JSON")
    parser.add_argument("--deadline", type=float, default=600.0)
    args = parser.parse_args()
    settings = load_settings(InvokeSettings)
    try:
        print(asyncio.run(invoke(args.address, args.method, args.body, args.deadline, settings)))
    except Exception as exc:
        print(f"invoke failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
