"""Driving the running suite from end-to-end tests: stubs, tokens, polling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.testing.plugin import Tokens

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], *, wait: float = 20.0) -> T:
    """Poll ``probe`` until ``accept`` holds for its result (bounded); returns that result."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        result = await probe()
        if accept(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached within {wait} s; last result: {result}")
        await asyncio.sleep(0.2)


def md(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def applicant_data(login: str, city: str = "Kyiv") -> partner_pb2.ApplicantData:
    """A complete, valid partner application questionnaire for ``login``."""
    return partner_pb2.ApplicantData(
        legal_form=partner_pb2.LEGAL_FORM_LEGAL_ENTITY,
        company_name=f"{login} studio",
        city=city,
        contact_name="Olena",
        contact_email=f"{login}@example.ua",
        contact_phone="+380 44 123 4567",
        activities=[partner_pb2.ACTIVITY_WEB_PROJECTS],
        applicant_login=login,
        personal_data_consent=True,
    )


async def onboard_partner(channel: grpc.aio.Channel, tokens: Tokens, login: str) -> str:
    """Application, approval, contract filed and accepted: a Business partner that may buy."""
    stub = status_grpc.StatusServiceStub(channel)
    staff = md(tokens.staff())
    data = applicant_data(login)
    created = await stub.CreateApplication(
        status_pb.CreateApplicationRequest(request_id=f"app-{login}", data=data), metadata=md(tokens.system())
    )
    approved = await stub.ApproveApplication(
        status_pb.ApproveApplicationRequest(
            request_id=f"ok-{login}", application_id=created.application.application_id
        ),
        metadata=staff,
    )
    partner_id = str(approved.partner.partner_id)
    filed = await stub.FileContractApplication(
        status_pb.FileContractApplicationRequest(
            request_id=f"contract-{login}",
            partner_id=partner_id,
            requisites=partner_pb2.ContractRequisites(
                legal_name="ТОВ Вебстудія",  # noqa: RUF001
                legal_address="м. Київ, вул. Хрещатик, 1",
                registration_code="12345678",
                iban="UA" + "1" * 27,
                signatory="Олена Петренко",
            ),
            actor_login=login,
        ),
        metadata=md(tokens.system()),
    )
    await stub.AcceptContractApplication(
        status_pb.AcceptContractApplicationRequest(
            request_id=f"accept-{login}", partner_id=partner_id, contract_id=filed.contract.contract_id
        ),
        metadata=staff,
    )
    return partner_id


async def entitlement(channel: grpc.aio.Channel, tokens: Tokens, partner_id: str) -> Any:
    return await status_grpc.StatusServiceStub(channel).CheckDiscountEntitlement(
        # R-ENT-01: by partner id alone it is a staff query; the sales platform names the buyer.
        status_pb.CheckDiscountEntitlementRequest(partner_id=partner_id, product_family="SITE_MANAGEMENT"),
        metadata=md(tokens.staff()),
        timeout=5,
    )
