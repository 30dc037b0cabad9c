"""Helpers for API tests over real gRPC: generic calls and the auth matrix."""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from ppcore.auth import AccessTable, CallerKind, PartnerRole
from ppcore.testing.plugin import Tokens


async def call_raw(
    channel: grpc.aio.Channel, method: MethodDescriptor, request: Any | None = None, token: str | None = None
) -> Any:
    request_cls = message_factory.GetMessageClass(method.input_type)
    response_cls = message_factory.GetMessageClass(method.output_type)
    stub: Any = channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_cls.FromString,
    )
    metadata = (("authorization", f"Bearer {token}"),) if token is not None else None
    return await stub(request if request is not None else request_cls(), metadata=metadata, timeout=10)


async def code_of(channel: grpc.aio.Channel, method: MethodDescriptor, token: str | None) -> grpc.StatusCode:
    try:
        await call_raw(channel, method, token=token)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def _token_for(kind: CallerKind, tokens: Tokens, role: PartnerRole = PartnerRole.LIMITED) -> str:
    if kind is CallerKind.STAFF:
        return tokens.staff()
    if kind is CallerKind.SYSTEM:
        return tokens.system()
    if kind is CallerKind.SALES_PLATFORM:
        return tokens.sales_platform()
    return tokens.partner_user("partner-x", role)


async def assert_auth_enforced(
    channel: grpc.aio.Channel, service: ServiceDescriptor, access: AccessTable, tokens: Tokens
) -> None:
    """For every RPC: no token, a forged signature and an expired token are
    UNAUTHENTICATED; every caller kind the access table does not allow is
    PERMISSION_DENIED. Public RPCs are skipped for the unauthenticated rows."""
    forged = Tokens(secret="a-different-secret-entirely-for-forgery").staff()
    problems: list[str] = []
    for method in service.methods:
        rule = access[method.name]
        if CallerKind.ANONYMOUS not in rule.kinds:
            for label, token in (("no token", None), ("forged", forged), ("expired", tokens.expired())):
                code = await code_of(channel, method, token)
                if code is not grpc.StatusCode.UNAUTHENTICATED:
                    problems.append(f"{method.name} with {label}: {code.name}")
        for kind in (CallerKind.STAFF, CallerKind.SYSTEM, CallerKind.SALES_PLATFORM):
            if kind not in rule.kinds:
                code = await code_of(channel, method, _token_for(kind, tokens))
                if code is not grpc.StatusCode.PERMISSION_DENIED:
                    problems.append(f"{method.name} as {kind.value}: {code.name}")
        for role in PartnerRole:
            if CallerKind.PARTNER_USER not in rule.kinds or role not in rule.partner_roles:
                code = await code_of(channel, method, _token_for(CallerKind.PARTNER_USER, tokens, role))
                if code is not grpc.StatusCode.PERMISSION_DENIED:
                    problems.append(f"{method.name} as partner {role.value}: {code.name}")
    assert not problems, "auth not enforced:\n" + "\n".join(problems)
