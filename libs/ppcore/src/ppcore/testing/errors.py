"""Refusals over real gRPC: the status code and the rich details (``google.rpc.Status``)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

from ppcore.grpc_errors import error_info, field_violations, status_from_rpc_error


@dataclass(frozen=True)
class Refusal:
    """What a refused call said: code, ``ErrorInfo.reason`` and ``metadata.rule`` (empty
    without ErrorInfo), the ``BadRequest`` field violations, and the message."""

    code: grpc.StatusCode
    reason: str
    rule: str
    fields: list[str]
    message: str
    error: grpc.aio.AioRpcError


def refusal_of(error: grpc.aio.AioRpcError, *, require_details: bool = False) -> Refusal:
    """Read a refusal from an error; with ``require_details`` assert the status details
    and the ErrorInfo are there."""
    status = status_from_rpc_error(error)
    if require_details:
        assert status is not None, error.details()
    info = error_info(status) if status is not None else None
    if require_details:
        assert info is not None
    return Refusal(
        code=error.code(),
        reason=info.reason if info is not None else "",
        rule=info.metadata.get("rule", "") if info is not None else "",
        fields=[v.field for v in field_violations(status)] if status is not None else [],
        message=status.message if status is not None else (error.details() or ""),
        error=error,
    )


async def refusal(call: Awaitable[Any], *, require_details: bool = False) -> Refusal:
    """Await a call that must fail; what it said."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return refusal_of(raised.value, require_details=require_details)


async def assert_refused(call: Awaitable[Any], code: grpc.StatusCode, reason: str | None) -> grpc.aio.AioRpcError:
    """Await a call that must fail with ``code`` and, unless ``reason`` is empty or None,
    ``ErrorInfo.reason == reason``. The error, for further checks."""
    found = await refusal(call)
    error = found.error
    assert error.code() is code, error.details()
    if reason:
        assert found.reason == reason, (found.reason, error.details())
    return error


def violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    """The ``BadRequest`` field violations of an error (empty without details)."""
    return refusal_of(error).fields
