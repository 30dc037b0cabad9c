"""Changing one status key to a lower edition, approved by staff (R-NFR-02)."""

import grpc
import pytest

from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import license_key_pb2 as key_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _status_keys(licensing, helpers):
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    reply = await licensing.stub.ListPartnerKeys(pb.ListPartnerKeysRequest(partner_id="p1"), metadata=licensing.staff())
    return sorted(reply.grants, key=lambda g: g.entitlement)


async def test_one_key_changes_to_a_lower_edition_once_approved(licensing, helpers):
    """R-NFR-02: request -> staff approval -> the key verifies as the lower edition; a second change is refused."""
    first, second = await _status_keys(licensing, helpers)
    requested = await licensing.stub.RequestEditionChange(
        pb.RequestEditionChangeRequest(
            request_id="c1", partner_id="p1", grant_id=first.grant_id, to_edition="SM_START"
        ),
        metadata=licensing.partner("p1"),
    )
    change = requested.change_request
    assert change.state == nfr_pb2.EDITION_CHANGE_REQUEST_STATE_PENDING
    await licensing.refused(
        licensing.stub.RequestEditionChange(
            pb.RequestEditionChangeRequest(
                request_id="c2", partner_id="p1", grant_id=second.grant_id, to_edition="SM_START"
            ),
            metadata=licensing.partner("p1"),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "EDITION_CHANGE_LIMIT_REACHED",
    )
    approved = await licensing.stub.ApproveEditionChange(
        pb.ApproveEditionChangeRequest(request_id="a1", change_request_id=change.change_request_id, note="ok"),
        metadata=licensing.staff(),
    )
    assert (approved.grant.edition, approved.grant.edition_changed) == ("SM_START", True)
    assert approved.grant.history[-1].action == nfr_pb2.HISTORY_ACTION_EDITION_CHANGED
    await licensing.tap.wait_for(ev.NfrKeyEditionChanged, lambda e: e.to_edition == "SM_START")
    verdict = (await licensing.stub.VerifyKey(pb.VerifyKeyRequest(key=first.key), metadata=licensing.system())).verdict
    assert (verdict.reason, verdict.edition) == (key_pb.VERIFY_REASON_VALID, "SM_START")
    await licensing.refused(
        licensing.stub.ApproveEditionChange(
            pb.ApproveEditionChangeRequest(request_id="a2", change_request_id=change.change_request_id),
            metadata=licensing.staff(),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "EDITION_CHANGE_ALREADY_DECIDED",
    )


async def test_edition_change_refusals(licensing, helpers):
    """R-NFR-02: only a lower edition, only the partner's own key, only staff decide; unknown ids are NOT_FOUND."""
    first, _ = await _status_keys(licensing, helpers)
    before = await licensing.counts()
    await licensing.refused(
        licensing.stub.RequestEditionChange(
            pb.RequestEditionChangeRequest(
                request_id="x1", partner_id="p1", grant_id=first.grant_id, to_edition="SM_ENTERPRISE"
            ),
            metadata=licensing.staff(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "EDITION_NOT_LOWER",
    )
    await licensing.refused(
        licensing.stub.RequestEditionChange(
            pb.RequestEditionChangeRequest(
                request_id="x2", partner_id="p2", grant_id=first.grant_id, to_edition="SM_START"
            ),
            metadata=licensing.staff(),
        ),
        grpc.StatusCode.NOT_FOUND,
        "GRANT_NOT_FOUND",
    )
    await licensing.refused(
        licensing.stub.ApproveEditionChange(
            pb.ApproveEditionChangeRequest(request_id="x3", change_request_id="nope"), metadata=licensing.staff()
        ),
        grpc.StatusCode.NOT_FOUND,
        "EDITION_CHANGE_REQUEST_NOT_FOUND",
    )
    await licensing.refused(
        licensing.stub.ApproveEditionChange(
            pb.ApproveEditionChangeRequest(request_id="x4", change_request_id="nope"), metadata=licensing.partner("p1")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )
    assert await licensing.counts() == before
    requested = await licensing.stub.RequestEditionChange(
        pb.RequestEditionChangeRequest(
            request_id="x5", partner_id="p1", grant_id=first.grant_id, to_edition="SM_STANDARD"
        ),
        metadata=licensing.staff(),
    )
    rejected = await licensing.stub.RejectEditionChange(
        pb.RejectEditionChangeRequest(
            request_id="x6", change_request_id=requested.change_request.change_request_id, note="no"
        ),
        metadata=licensing.staff(),
    )
    assert rejected.change_request.state == nfr_pb2.EDITION_CHANGE_REQUEST_STATE_REJECTED
