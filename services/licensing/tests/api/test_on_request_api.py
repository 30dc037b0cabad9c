"""The on-request key over gRPC, with the status service asked over real gRPC (R-NFR-04, R-NFR-05)."""

import grpc
import pytest

from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2
from ppcore.auth import PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

FULL_CHECKLIST = nfr_pb2.SiteChecklist(
    company_description=True,
    services_list=True,
    partner_statement_in_words=True,
    product_description_all_editions=True,
    bitrix24_logo=True,
    powered_by_link_on_every_page=True,
)


def _request(request_id="r1", partner_id="p1", **overrides):
    fields = {
        "request_id": request_id,
        "partner_id": partner_id,
        "site_url": "https://p1.example.ua",
        "site_on_product": True,
        "checklist": FULL_CHECKLIST,
        "original_design": True,
        "site_topic": nfr_pb2.SITE_TOPIC_WEB_DEVELOPMENT,
    }
    fields.update(overrides)
    return pb.RequestOnRequestKeyRequest(**fields)


async def _approve(licensing, key_request_id, request_id="a1"):
    return await licensing.stub.ApproveOnRequestKey(
        pb.ApproveOnRequestKeyRequest(request_id=request_id, key_request_id=key_request_id, note="site verified"),
        metadata=licensing.staff(),
    )


async def test_on_request_key_granted_once_asking_status_for_certified_employees(licensing):
    """R-NFR-04: conditions met -> one key for the partner's site; a second request is ALREADY_EXISTS."""
    licensing.status.set("p1", certified=1)
    reply = await licensing.stub.RequestOnRequestKey(_request(), metadata=licensing.partner("p1"))
    grant = (await _approve(licensing, reply.key_request.key_request_id)).grant
    assert (grant.kind, grant.entitlement, grant.edition, grant.site_url) == (
        nfr_pb2.GRANT_KIND_ON_REQUEST,
        "ON_REQUEST",
        "SM_BUSINESS",
        "https://p1.example.ua",
    )
    assert grant.usage_restriction == nfr_pb2.USAGE_RESTRICTION_OWN_SITE_OR_DEMO  # R-NFR-09
    assert grant.valid_until_date == "2027-03-02"
    assert list(licensing.status.calls[-1].course_codes) == ["SM_ADMINISTRATOR"]
    assert licensing.status.metadata[-1]["authorization"].startswith("Bearer ")
    await licensing.tap.wait_for(ev.NfrKeyIssued, lambda e: e.entitlement == "ON_REQUEST")

    before = await licensing.counts()
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request("r2"), metadata=licensing.partner("p1")),
        grpc.StatusCode.ALREADY_EXISTS,
        "ON_REQUEST_KEY_ALREADY_GRANTED",
    )
    assert await licensing.counts() == before


async def test_retried_request_id_returns_the_same_key_and_issues_one(licensing):
    """Idempotency: the same request_id twice answers the same request and the same grant; reused for
    another body is refused."""
    licensing.status.set("p1")
    first = await licensing.stub.RequestOnRequestKey(_request(), metadata=licensing.partner("p1"))
    again = await licensing.stub.RequestOnRequestKey(_request(), metadata=licensing.partner("p1"))
    assert again == first
    assert await licensing.scalar("SELECT count(*) FROM on_request_key_requests") == 1
    key_request_id = first.key_request.key_request_id
    assert await _approve(licensing, key_request_id) == await _approve(licensing, key_request_id)
    assert await licensing.scalar("SELECT count(*) FROM nfr_grants") == 1
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request(site_url="https://other.ua"), metadata=licensing.partner("p1")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "REQUEST_ID_REUSED",
    )


async def test_every_unmet_condition_is_named_and_nothing_is_written(licensing):
    """R-NFR-04, R-NFR-05: contract, certified employees, checklist items, design and topic each named."""
    licensing.status.set("p1", contract_accepted=False, certified=0)
    before = await licensing.counts()
    error = await licensing.refused(
        licensing.stub.RequestOnRequestKey(
            _request(
                checklist=nfr_pb2.SiteChecklist(company_description=True, services_list=True),
                original_design=False,
                site_topic=nfr_pb2.SITE_TOPIC_UNRELATED,
            ),
            metadata=licensing.staff(),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "ON_REQUEST_CONDITIONS_UNMET",
    )
    assert licensing.violations(error) == [
        "conditions.contract_accepted",
        "conditions.certified_employees",
        "conditions.checklist.partner_statement_in_words",
        "conditions.checklist.product_description_all_editions",
        "conditions.checklist.bitrix24_logo",
        "conditions.checklist.powered_by_link_on_every_page",
        "conditions.original_design",
        "conditions.site_topic",
    ]
    assert await licensing.counts() == before


async def test_refusals_unknown_partner_bad_input_and_other_partner(licensing):
    """NOT_FOUND for a partner status does not know; INVALID_ARGUMENT for bad input; PERMISSION_DENIED across partners."""
    before = await licensing.counts()
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request(partner_id="ghost"), metadata=licensing.staff()),
        grpc.StatusCode.NOT_FOUND,
        "PARTNER_NOT_FOUND",
    )
    licensing.status.set("p1")
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request(site_topic=0), metadata=licensing.staff()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
    )
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request(edition="SM_ENTERPRISE"), metadata=licensing.staff()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ON_REQUEST_EDITION_NOT_ALLOWED",
    )
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request(), metadata=licensing.partner("p2")),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request(), metadata=licensing.partner("p1", PartnerRole.LIMITED)),
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )
    assert await licensing.counts() == before


async def test_staff_verify_the_site_before_the_key_and_renewal_re_checks_it(licensing, helpers):
    """R-NFR-04/05/06: a request issues no key; staff see it pending, reject it naming the unmet
    requirement (the partner may ask again) or approve it (the key is issued, the status service
    asked again); a later staff check that finds the requirements gone lapses the key at renewal
    even with the sales met.

    Document 6.2: "Перерахована інформація повинна зберігатися на сайті Партнера весь час
    використання NFR-копії по запиту."
    """
    licensing.status.set("p1")
    first = (await licensing.stub.RequestOnRequestKey(_request(), metadata=licensing.partner("p1"))).key_request
    assert (first.state, first.grant_id) == (nfr_pb2.ON_REQUEST_KEY_REQUEST_STATE_PENDING, "")
    assert await licensing.scalar("SELECT count(*) FROM nfr_grants") == 0
    pending = await licensing.stub.ListOnRequestKeyRequests(
        pb.ListOnRequestKeyRequestsRequest(state=nfr_pb2.ON_REQUEST_KEY_REQUEST_STATE_PENDING),
        metadata=licensing.staff(),
    )
    assert [r.key_request_id for r in pending.key_requests] == [first.key_request_id]
    await licensing.refused(
        licensing.stub.RequestOnRequestKey(_request("r2"), metadata=licensing.partner("p1")),
        grpc.StatusCode.ALREADY_EXISTS,
        "ON_REQUEST_KEY_REQUEST_PENDING",
    )
    await licensing.refused(
        licensing.stub.ApproveOnRequestKey(
            pb.ApproveOnRequestKeyRequest(request_id="a0", key_request_id=first.key_request_id),
            metadata=licensing.partner("p1"),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "",
    )
    rejected = await licensing.stub.RejectOnRequestKey(
        pb.RejectOnRequestKeyRequest(
            request_id="x1", key_request_id=first.key_request_id, reason="no 'Powered by' link on the inner pages"
        ),
        metadata=licensing.staff(),
    )
    assert rejected.key_request.state == nfr_pb2.ON_REQUEST_KEY_REQUEST_STATE_REJECTED

    second = (await licensing.stub.RequestOnRequestKey(_request("r3"), metadata=licensing.partner("p1"))).key_request
    licensing.status.set("p1", contract_accepted=False)
    await licensing.refused(
        _approve(licensing, second.key_request_id, "a1"),
        grpc.StatusCode.FAILED_PRECONDITION,
        "ON_REQUEST_CONDITIONS_UNMET",
    )
    licensing.status.set("p1")
    approved = await _approve(licensing, second.key_request_id, "a2")
    grant = approved.grant
    assert approved.key_request.state == nfr_pb2.ON_REQUEST_KEY_REQUEST_STATE_APPROVED
    assert (grant.site_checked_date, grant.site_requirements_hold) == ("2026-03-02", True)

    checked = await licensing.stub.RecordSiteCheck(
        pb.RecordSiteCheckRequest(
            request_id="s1", grant_id=grant.grant_id, requirements_hold=False, note="Bitrix24 logo removed"
        ),
        metadata=licensing.staff(),
    )
    assert checked.grant.history[-1].action == nfr_pb2.HISTORY_ACTION_SITE_CHECKED
    await helpers.order(licensing, "p1", "o-1", "200000", licensing.clock.now())
    renewal = await licensing.stub.RunYearlyRenewals(
        pb.RunYearlyRenewalsRequest(request_id="y1", run_date="2027-03-02"), metadata=licensing.system()
    )
    assert (renewal.keys_renewed, renewal.keys_lapsed) == (0, 1)
    lapsed = await licensing.stub.GetNfrGrant(
        pb.GetNfrGrantRequest(grant_id=grant.grant_id), metadata=licensing.staff()
    )
    assert lapsed.grant.state == nfr_pb2.GRANT_STATE_LAPSED
    assert "found not to hold" in lapsed.grant.history[-1].reason
