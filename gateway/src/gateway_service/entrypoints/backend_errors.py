"""A backend's refusal, passed on to the gateway's caller as the same refusal.

A refusal about the request (bad input, a rule, an unknown buyer) is re-raised as the
domain error it was, keeping its ErrorInfo reason and field violations, so the central
mapping gives the caller the code it would have had from the backend. Anything else (down,
too slow, or refusing the gateway itself) is not the caller's fault: UNAVAILABLE.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from ppcore.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
)
from ppcore.grpc_errors import ERROR_DOMAIN, error_info, field_violations, status_from_rpc_error

_PASSED_ON: dict[grpc.StatusCode, type[DomainError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
}


def passed_on_refusal(error: grpc.aio.AioRpcError) -> DomainError | None:
    """The domain error behind a backend refusal, or None when it is not one."""
    cls = _PASSED_ON.get(error.code())
    if cls is None:
        return None
    status = status_from_rpc_error(error)
    info = error_info(status) if status is not None else None
    violations = field_violations(status) if status is not None else []
    metadata = dict(info.metadata) if info is not None else {}
    rule = metadata.pop("rule", None)
    return cls(
        reason=info.reason if info is not None and info.reason else error.code().name,
        message=error.details() or error.code().name,
        rule=rule,
        violations=tuple(FieldViolation(v.field, v.description) for v in violations),
        metadata=metadata,
    )


def unavailable_status(backend: str, error: grpc.aio.AioRpcError) -> tuple[str, bytes]:
    """(message, grpc-status-details-bin) of an UNAVAILABLE answer naming the backend."""
    message = f"the {backend} service did not answer ({error.code().name}); retry later"
    info = any_pb2.Any()
    info.Pack(
        error_details_pb2.ErrorInfo(
            reason="BACKEND_UNAVAILABLE",
            domain=ERROR_DOMAIN,
            metadata={"backend": backend, "backend_code": error.code().name},
        )
    )
    status = status_pb2.Status(code=grpc.StatusCode.UNAVAILABLE.value[0], message=message, details=[info])
    return message, status.SerializeToString()
