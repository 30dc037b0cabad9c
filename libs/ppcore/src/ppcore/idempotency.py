"""Idempotent writes by ``request_id``: a retried call returns the first answer.

The first call's response is stored in the same transaction as its effect, keyed by
(method, request_id), with a hash of the request so that reusing a request id for a
different request is refused rather than silently answered with the old response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.exc import IntegrityError

from ppcore.errors import InvalidArgument
from ppcore.uow import SqlUnitOfWork

R = TypeVar("R", bound=Message)
U = TypeVar("U", bound=SqlUnitOfWork)


def request_fingerprint(request: Message) -> str:
    """Hash of the request without its request_id (deterministic serialization)."""
    copy = type(request)()
    copy.CopyFrom(request)
    if "request_id" in copy.DESCRIPTOR.fields_by_name:
        copy.ClearField("request_id")  # type: ignore[arg-type]
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


async def run_idempotent(
    uow_factory: Callable[[], U],
    method: str,
    request: Message,
    response_type: type[R],
    work: Callable[[U], Awaitable[R]],
) -> R:
    """Run ``work`` in one unit of work unless (method, request.request_id) ran before.

    ``work`` loads, calls the domain, saves and publishes, but does not commit: the
    response is recorded and the transaction committed here. Without a request_id the
    call is simply run once.
    """
    request_id: str = getattr(request, "request_id", "")
    fingerprint = request_fingerprint(request) if request_id else ""
    async with uow_factory() as uow:
        if request_id:
            earlier = await _stored(uow, method, request_id, fingerprint, response_type)
            if earlier is not None:
                return earlier
        response = await work(uow)
        try:
            if request_id:
                table = uow.tables.idempotency
                await uow.session.execute(
                    sa.insert(table).values(
                        method=method,
                        request_id=request_id,
                        request_hash=fingerprint,
                        response=response.SerializeToString(),
                        created_at=uow.clock.now(),
                    )
                )
            await uow.commit()
        except IntegrityError as conflict:
            if not request_id:
                raise
            await uow.rollback()
            failure: IntegrityError = conflict
        else:
            return response
    # A concurrent retry may have committed first: answer with what it stored.
    async with uow_factory() as uow:
        earlier = await _stored(uow, method, request_id, fingerprint, response_type)
    if earlier is None:
        raise failure
    return earlier


async def _stored(
    uow: SqlUnitOfWork, method: str, request_id: str, fingerprint: str, response_type: type[R]
) -> R | None:
    table = uow.tables.idempotency
    row = (
        await uow.session.execute(
            sa.select(table.c.request_hash, table.c.response).where(
                table.c.method == method, table.c.request_id == request_id
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise InvalidArgument.for_field(
            "request_id",
            f"{request_id!r} was already used for a different {method} request",
            reason="REQUEST_ID_REUSED",
        )
    response = response_type()
    response.ParseFromString(row.response)
    return response
