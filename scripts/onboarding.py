"""Driving a running suite through its APIs: a partner onboarded the way the program does it.

Shared by the end-to-end tests and the benchmarks, which run the suite as separate processes.
"""

from __future__ import annotations

import grpc

from partnerprogram.status.v1 import partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.testing.plugin import Tokens


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
    staff = tokens.metadata(tokens.staff())
    data = applicant_data(login)
    created = await stub.CreateApplication(
        status_pb.CreateApplicationRequest(request_id=f"app-{login}", data=data),
        metadata=tokens.metadata(tokens.system()),
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
        metadata=tokens.metadata(tokens.system()),
    )
    await stub.AcceptContractApplication(
        status_pb.AcceptContractApplicationRequest(
            request_id=f"accept-{login}", partner_id=partner_id, contract_id=filed.contract.contract_id
        ),
        metadata=staff,
    )
    return partner_id
