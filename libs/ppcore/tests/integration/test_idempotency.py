"""A retried write with the same request_id acts once and returns the first answer."""

import asyncio

import pytest
import sqlalchemy as sa
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from partnerprogram.echo.v1.echo_service_pb2 import EchoResponse
from ppcore.clock import SystemClock
from ppcore.db import Database, add_platform_tables, make_metadata
from ppcore.errors import InvalidArgument
from ppcore.events import Naming
from ppcore.idempotency import run_idempotent
from ppcore.uow import SqlUnitOfWork

pytestmark = [pytest.mark.postgres]

metadata = make_metadata()
tables = add_platform_tables(metadata)
effects = sa.Table("effects", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True))


def _keyed_message_class():
    """A write request of the usual shape: a request_id and a body."""
    file = descriptor_pb2.FileDescriptorProto(name="ppcore_test_keyed.proto", package="ppcore.test", syntax="proto3")
    message = file.message_type.add(name="KeyedRequest")
    for number, name in enumerate(("request_id", "body"), start=1):
        message.field.add(
            name=name,
            number=number,
            type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
            label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
        )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("ppcore.test.KeyedRequest"))


KeyedRequest = _keyed_message_class()


@pytest.fixture
async def uow_factory(make_pg_database):
    db = Database(await make_pg_database())
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)

    def factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(db, tables, source="echo", naming=Naming("t"), clock=SystemClock())

    yield factory
    await db.dispose()


async def _count(factory) -> int:
    async with factory() as uow:
        return int((await uow.session.execute(sa.select(sa.func.count()).select_from(effects))).scalar_one())


async def work(uow: SqlUnitOfWork) -> EchoResponse:
    result = await uow.session.execute(sa.insert(effects).returning(effects.c.id))
    return EchoResponse(payload=str(result.scalar_one()).encode())


async def test_retry_returns_first_answer_and_acts_once(uow_factory):
    request = KeyedRequest(request_id="req-1", body="x")
    first = await run_idempotent(uow_factory, "Demo", request, EchoResponse, work)
    again = await run_idempotent(uow_factory, "Demo", request, EchoResponse, work)
    assert first == again
    assert await _count(uow_factory) == 1


async def test_concurrent_retries_act_once(uow_factory):
    request = KeyedRequest(request_id="req-2", body="x")
    answers = await asyncio.gather(
        *(run_idempotent(uow_factory, "Demo", request, EchoResponse, work) for _ in range(5))
    )
    assert len({a.payload for a in answers}) == 1
    assert await _count(uow_factory) == 1


async def test_same_request_id_for_a_different_request_is_refused(uow_factory):
    await run_idempotent(uow_factory, "Demo", KeyedRequest(request_id="req-3", body="a"), EchoResponse, work)
    with pytest.raises(InvalidArgument) as refused:
        await run_idempotent(uow_factory, "Demo", KeyedRequest(request_id="req-3", body="b"), EchoResponse, work)
    assert refused.value.reason == "REQUEST_ID_REUSED"
    assert await _count(uow_factory) == 1


async def test_without_request_id_each_call_acts(uow_factory):
    await run_idempotent(uow_factory, "Demo", KeyedRequest(body="a"), EchoResponse, work)
    await run_idempotent(uow_factory, "Demo", KeyedRequest(body="a"), EchoResponse, work)
    assert await _count(uow_factory) == 2
