"""The cloud NFR over gRPC: only a Bitrix24 portal qualifies (R-NFR-07); a mistaken revocation is undone."""

import grpc
import pytest

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _issue(licensing, partner_id, domain, request_id, metadata=None):
    return await licensing.stub.IssueCloudNfr(
        pb.IssueCloudNfrRequest(request_id=request_id, partner_id=partner_id, portal_domain=domain),
        metadata=metadata or licensing.staff(),
    )


async def _cloud(licensing, partner_id="p1"):
    return (
        await licensing.stub.GetCloudNfr(pb.GetCloudNfrRequest(partner_id=partner_id), metadata=licensing.staff())
    ).cloud_nfr


async def test_a_custom_domain_is_refused_with_its_reason_and_a_cloud_portal_is_issued(licensing):
    """R-NFR-07: a custom domain gets INVALID_ARGUMENT PORTAL_DOMAIN_CUSTOM naming the cloud suffixes and
    writes nothing; the partner's Bitrix24 portal gets the cloud NFR.

    Document 6.3: "для порталу на NFR не можна використовувати власний домен".
    """
    before = await licensing.counts()
    error = await licensing.refused(
        _issue(licensing, "p1", "crm.studio.com.ua", "c1", licensing.partner("p1")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PORTAL_DOMAIN_CUSTOM",
    )
    assert "custom domain" in error.details() and "bitrix24.ua" in error.details()
    assert licensing.violations(error) == ["portal_domain"]
    assert await licensing.counts() == before

    reply = await _issue(licensing, "p1", "Studio.Bitrix24.ua", "c2", licensing.partner("p1"))
    assert (reply.cloud_nfr.portal_domain, reply.cloud_nfr.state) == (
        "studio.bitrix24.ua",
        nfr_pb2.CLOUD_NFR_STATE_ACTIVE,
    )


async def test_restore_cloud_nfr_undoes_a_mistaken_revocation(licensing):
    """R-NFR-07, R-NFR-11: staff restore a revoked cloud NFR: the same NFR, plan and validity come back,
    the history keeps the revocation and the restoration with its reason, CloudNfrIssued(restored)
    is published; a retry acts once; an active or missing cloud NFR cannot be restored; only staff may."""
    issued = (await _issue(licensing, "p1", "p1.bitrix24.ua", "c1")).cloud_nfr
    await licensing.publish_and_wait(
        "compliance",
        compliance_events.SanctionApplied(
            partner_id="p1",
            sanction_id="s1",
            kind=sanction_pb2.SANCTION_KIND_NFR_WITHDRAWAL,
            start_date="2026-03-02",
            parameters=sanction_pb2.SanctionParameters(nfr_key_ids=[issued.cloud_nfr_id]),
        ),
        "p1",
    )
    revoked = await _cloud(licensing)
    assert (revoked.state, revoked.revocation_cause) == (
        nfr_pb2.CLOUD_NFR_STATE_REVOKED,
        nfr_pb2.REVOCATION_CAUSE_SANCTION,
    )

    await licensing.refused(
        licensing.stub.RestoreCloudNfr(
            pb.RestoreCloudNfrRequest(request_id="r0", partner_id="p1", reason="x"), metadata=licensing.partner("p1")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "",
    )
    request = pb.RestoreCloudNfrRequest(request_id="r1", partner_id="p1", reason="sanction s1 named the wrong portal")
    restored = (await licensing.stub.RestoreCloudNfr(request, metadata=licensing.staff())).cloud_nfr
    assert (restored.cloud_nfr_id, restored.state, restored.plan, restored.valid_until_date) == (
        issued.cloud_nfr_id,
        nfr_pb2.CLOUD_NFR_STATE_ACTIVE,
        issued.plan,
        issued.valid_until_date,
    )
    assert restored.revocation_cause == nfr_pb2.REVOCATION_CAUSE_UNSPECIFIED
    assert [h.action for h in restored.history] == [
        nfr_pb2.HISTORY_ACTION_ISSUED,
        nfr_pb2.HISTORY_ACTION_REVOKED,
        nfr_pb2.HISTORY_ACTION_RESTORED,
    ]
    assert restored.history[-1].reason == "sanction s1 named the wrong portal"
    await licensing.tap.wait_for(ev.CloudNfrIssued, lambda e: e.restored and e.portal_domain == "p1.bitrix24.ua")

    # A retry answers the first result and acts once.
    assert (await licensing.stub.RestoreCloudNfr(request, metadata=licensing.staff())).cloud_nfr == restored
    assert len((await _cloud(licensing)).history) == 3

    await licensing.refused(
        licensing.stub.RestoreCloudNfr(
            pb.RestoreCloudNfrRequest(request_id="r2", partner_id="p1", reason="again"), metadata=licensing.staff()
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "CLOUD_NFR_NOT_REVOKED",
    )
    await licensing.refused(
        licensing.stub.RestoreCloudNfr(
            pb.RestoreCloudNfrRequest(request_id="r3", partner_id="p9", reason="none"), metadata=licensing.staff()
        ),
        grpc.StatusCode.NOT_FOUND,
        "CLOUD_NFR_NOT_FOUND",
    )
