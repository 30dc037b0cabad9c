"""GetPartnerNfrSnapshot: the partner view's NFR section from one portfolio read (R-CARD-04),
equal to what ListPartnerKeys and GetCloudNfr answer; for the gateway and staff only."""

import grpc
import pytest

from partnerprogram.licensing.v1 import licensing_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_the_snapshot_equals_the_keys_and_the_cloud_nfr(licensing, helpers):
    system = licensing.system()
    empty = await licensing.stub.GetPartnerNfrSnapshot(
        pb.GetPartnerNfrSnapshotRequest(partner_id="p1"), metadata=system
    )
    assert list(empty.grants) == [] and not empty.HasField("cloud_nfr")  # none yet: an answer

    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    await licensing.stub.IssueCloudNfr(
        pb.IssueCloudNfrRequest(request_id="c1", partner_id="p1", portal_domain="p1.bitrix24.ua"),
        metadata=licensing.staff(),
    )
    got = await licensing.stub.GetPartnerNfrSnapshot(pb.GetPartnerNfrSnapshotRequest(partner_id="p1"), metadata=system)
    keys = await licensing.stub.ListPartnerKeys(
        pb.ListPartnerKeysRequest(partner_id="p1", page_size=100), metadata=system
    )
    cloud = await licensing.stub.GetCloudNfr(pb.GetCloudNfrRequest(partner_id="p1"), metadata=system)
    assert list(got.grants) == list(keys.grants) and got.grants
    assert got.cloud_nfr == cloud.cloud_nfr

    await licensing.refused(
        licensing.stub.GetPartnerNfrSnapshot(
            pb.GetPartnerNfrSnapshotRequest(partner_id="p1"), metadata=licensing.partner("p1")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )
