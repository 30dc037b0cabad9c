"""Call one RPC of a running service from the command line, as an internal system.

    python -m ppcore.invoke 127.0.0.1:50052 partnerprogram.points.v1.PointsService/RunDailyTotals '{}'

Used by the Kubernetes CronJobs (the daily jobs) and handy for ops. The token is minted
from ``INVOKE_JWT_SECRET`` (HS256) or ``INVOKE_JWT_PRIVATE_KEY_FILE`` +
``INVOKE_JWT_ALGORITHM``; TLS from ``INVOKE_TLS_CA_FILE``/``_CERT_FILE``/``_KEY_FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pool, json_format, message_factory

import partnerprogram
from ppcore.auth import Caller, CallerKind, TokenIssuer
from ppcore.client import ClientTls, make_channel
from ppcore.clock import SystemClock


def _load_generated_modules() -> None:
    for info in pkgutil.walk_packages(partnerprogram.__path__, "partnerprogram."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)


async def invoke(address: str, method: str, body: str, deadline: float) -> str:
    _load_generated_modules()
    service_name, _, method_name = method.partition("/")
    service = descriptor_pool.Default().FindServiceByName(service_name)
    method_descriptor = service.FindMethodByName(method_name)
    if method_descriptor is None:
        raise SystemExit(f"{service_name} has no method {method_name}")
    request_cls = message_factory.GetMessageClass(method_descriptor.input_type)
    response_cls = message_factory.GetMessageClass(method_descriptor.output_type)
    request = json_format.Parse(body, request_cls())
    algorithm = os.environ.get("INVOKE_JWT_ALGORITHM", "HS256")
    key_file = os.environ.get("INVOKE_JWT_PRIVATE_KEY_FILE")
    issuer = TokenIssuer(
        algorithm=algorithm,
        clock=SystemClock(),
        secret=os.environ.get("INVOKE_JWT_SECRET"),
        private_key_file=Path(key_file) if key_file else None,
        issuer=os.environ.get("INVOKE_JWT_ISSUER", "partnerprogram"),
        audience=os.environ.get("INVOKE_JWT_AUDIENCE", "partnerprogram"),
    )
    token = issuer.mint(Caller(CallerKind.SYSTEM, os.environ.get("INVOKE_SUBJECT", "system:invoke")))
    ca = os.environ.get("INVOKE_TLS_CA_FILE")
    cert = os.environ.get("INVOKE_TLS_CERT_FILE")
    key = os.environ.get("INVOKE_TLS_KEY_FILE")
    tls = ClientTls(Path(ca), Path(cert) if cert else None, Path(key) if key else None) if ca else None
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
    try:
        print(asyncio.run(invoke(args.address, args.method, args.body, args.deadline)))
    except Exception as exc:
        print(f"invoke failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
