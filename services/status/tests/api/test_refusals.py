"""Bad input and forbidden moves are refused with the right code, field and rule, and change nothing."""

from __future__ import annotations

import grpc
import pytest
from status_api_support import StatusApi, applicant, approved_partner

from partnerprogram.status.v1 import employee_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_application_without_consent_is_invalid_and_not_stored(shared_api: StatusApi) -> None:
    api = shared_api
    """R-PRT-02: no personal-data consent -> INVALID_ARGUMENT naming the field, nothing written."""
    before = await api.count("applications")
    refused = await api.refused(
        "CreateApplication",
        pb.CreateApplicationRequest(request_id="c-noconsent", data=applicant("noconsent", personal_data_consent=False)),
        api.tokens.system(),
    )
    assert refused.code is grpc.StatusCode.INVALID_ARGUMENT
    assert (refused.reason, refused.rule) == ("PERSONAL_DATA_CONSENT_REQUIRED", "R-PRT-02")
    assert refused.fields == ["application.personal_data_consent"]
    assert await api.count("applications") == before


async def test_unknown_partner_is_not_found(shared_api: StatusApi) -> None:
    api = shared_api
    refused = await api.refused(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id="x", partner_id="nope", login="a-unknown", role=employee_pb2.ROLE_FULL),
    )
    assert (refused.code, refused.reason) == (grpc.StatusCode.NOT_FOUND, "PARTNER_NOT_FOUND")
    facts = await api.call("GetPartnerFacts", pb.GetPartnerFactsRequest(partner_id="nope"), api.tokens.system())
    assert not facts.exists
    assert await api.partner_of("a-unknown") == ""


async def test_invalid_role_is_invalid_argument(shared_api: StatusApi) -> None:
    api = shared_api
    """R-EMP-01..04: the role is one of main, full, limited, certified specialist."""
    pid = await approved_partner(api, "role-main")
    refused = await api.refused(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id="r0", partner_id=pid, login="role-x", role=employee_pb2.ROLE_UNSPECIFIED),
    )
    assert (refused.code, refused.reason, refused.rule, refused.fields) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ENUM",
        "R-EMP-01",
        ["role"],
    )
    assert await api.employee_count(pid) == 1


async def test_limited_employee_may_not_attach_anyone(shared_api: StatusApi) -> None:
    api = shared_api
    """R-EMP-02/03: a limited employee attaches nobody; refused at the door and by the rule."""
    pid = await approved_partner(api, "lim-main")
    await api.call(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id="r1", partner_id=pid, login="lim-maria", role=employee_pb2.ROLE_LIMITED),
    )
    attach = pb.AttachEmployeeRequest(
        request_id="r2",
        partner_id=pid,
        login="lim-new",
        role=employee_pb2.ROLE_CERTIFIED_SPECIALIST,
        actor_login="lim-maria",
    )
    as_limited = await api.refused(
        "AttachEmployee", attach, api.tokens.partner_user(pid, PartnerRole.LIMITED, "lim-maria")
    )
    assert (as_limited.code, as_limited.reason) == (grpc.StatusCode.PERMISSION_DENIED, "CALLER_NOT_ALLOWED")
    # Through the partner site on maria's behalf: the rule itself says no, naming the field.
    by_rule = await api.refused("AttachEmployee", attach, api.tokens.system())
    assert (by_rule.code, by_rule.reason, by_rule.rule) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "ROLE_MAY_NOT_ATTACH",
        "R-EMP-02",
    )
    assert "role" in by_rule.message
    assert await api.employee_count(pid) == 2


async def test_full_employee_may_not_attach_full_rights(shared_api: StatusApi) -> None:
    api = shared_api
    """R-EMP-02: full rights add limited employees and specialists, not full-rights ones."""
    pid = await approved_partner(api, "full-main")
    await api.call(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id="f1", partner_id=pid, login="full-petro", role=employee_pb2.ROLE_FULL),
    )
    refused = await api.refused(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id="f2", partner_id=pid, login="full-z", role=employee_pb2.ROLE_FULL),
        api.tokens.partner_user(pid, PartnerRole.FULL, "full-petro"),
    )
    assert (refused.code, refused.rule) == (grpc.StatusCode.PERMISSION_DENIED, "R-EMP-02")


async def test_second_main_user_is_refused(shared_api: StatusApi) -> None:
    api = shared_api
    """R-EMP-01: exactly one main user; a change goes through staff."""
    pid = await approved_partner(api, "two-main")
    refused = await api.refused(
        "AttachEmployee",
        pb.AttachEmployeeRequest(request_id="m1", partner_id=pid, login="two-boss", role=employee_pb2.ROLE_MAIN),
    )
    assert (refused.code, refused.reason, refused.rule) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "MAIN_USER_EXISTS",
        "R-EMP-01",
    )
    assert "role" in refused.message
    assert await api.employee_count(pid) == 1
    # Staff change it on the written request; the previous main user stays with full rights.
    changed = await api.call(
        "ChangeMainUser",
        pb.ChangeMainUserRequest(
            request_id="m2", partner_id=pid, new_login="two-boss", previous_main_role=employee_pb2.ROLE_FULL
        ),
    )
    assert changed.main_user.role == employee_pb2.ROLE_MAIN
    listed = await api.call("ListEmployees", pb.ListEmployeesRequest(partner_id=pid))
    assert sorted((e.login, e.role) for e in listed.employees) == [
        ("two-boss", employee_pb2.ROLE_MAIN),
        ("two-main", employee_pb2.ROLE_FULL),
    ]
    # Keyset pages (issue 12): one employee a page, each once, then no token.
    first = await api.call("ListEmployees", pb.ListEmployeesRequest(partner_id=pid, page_size=1))
    second = await api.call(
        "ListEmployees", pb.ListEmployeesRequest(partner_id=pid, page_size=1, page_token=first.next_page_token)
    )
    assert {e.login for e in (*first.employees, *second.employees)} == {"two-boss", "two-main"}
    assert first.next_page_token and not second.next_page_token


async def test_partner_user_may_not_read_another_partner(shared_api: StatusApi) -> None:
    api = shared_api
    pid = await approved_partner(api, "scope-main")
    refused = await api.refused(
        "GetPartner", pb.GetPartnerRequest(partner_id=pid), api.tokens.partner_user("other", PartnerRole.MAIN)
    )
    assert (refused.code, refused.reason) == (grpc.StatusCode.PERMISSION_DENIED, "OTHER_PARTNER")


async def test_request_id_reused_for_another_request_is_refused(shared_api: StatusApi) -> None:
    api = shared_api
    before = await api.count("applications")
    await api.call(
        "CreateApplication",
        pb.CreateApplicationRequest(request_id="same", data=applicant("reuse-1")),
        api.tokens.system(),
    )
    refused = await api.refused(
        "CreateApplication",
        pb.CreateApplicationRequest(request_id="same", data=applicant("reuse-2")),
        api.tokens.system(),
    )
    assert (refused.code, refused.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")
    assert await api.count("applications") == before + 1
