"""Sanctions from the compliance service and staff corrections (R-NFR-11); grants, not keys, carry the entitlement."""

from datetime import date

import grpc
import pytest

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import license_key_pb2 as key_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2
from ppcore.auth import PartnerRole
from ppcore.clock import kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _grants(licensing, partner_id="p1"):
    reply = await licensing.stub.ListPartnerKeys(
        pb.ListPartnerKeysRequest(partner_id=partner_id, include_inactive=True), metadata=licensing.staff()
    )
    return {g.entitlement: g for g in reply.grants}


async def _reason(licensing, key):
    return (await licensing.stub.VerifyKey(pb.VerifyKeyRequest(key=key), metadata=licensing.system())).verdict.reason


def _sanction(sanction_id, targets, start="2026-03-02", kind=sanction_pb2.SANCTION_KIND_NFR_WITHDRAWAL):
    return compliance_events.SanctionApplied(
        partner_id="p1",
        sanction_id=sanction_id,
        kind=kind,
        start_date=start,
        parameters=sanction_pb2.SanctionParameters(nfr_key_ids=targets),
    )


async def test_sanction_withdraws_the_named_key_and_lifting_restores_the_same_grant(licensing, helpers):
    """R-NFR-11: only the named key is revoked, with the sanction in its history; on lift the same
    grant comes back with a fresh key and the old key stays revoked."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    before = await _grants(licensing)
    target = before["CERTIFIED_1"]
    await licensing.publish_and_wait("compliance", _sanction("s1", [target.key]), "p1")
    after = await _grants(licensing)
    assert (after["CERTIFIED_1"].state, after["CERTIFIED_1"].revocation_cause) == (
        nfr_pb2.GRANT_STATE_REVOKED,
        nfr_pb2.REVOCATION_CAUSE_SANCTION,
    )
    assert after["CERTIFIED_2"].state == nfr_pb2.GRANT_STATE_ACTIVE
    revoked = await licensing.tap.wait_for(ev.NfrKeyRevoked)
    assert (revoked[0].rule, revoked[0].key) == ("R-NFR-11", target.key)
    assert "s1" in revoked[0].reason
    assert await _reason(licensing, target.key) == key_pb.VERIFY_REASON_REVOKED

    # A status event does not undo a sanction.
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    assert len(await _grants(licensing)) == 2

    await licensing.publish_and_wait(
        "compliance",
        compliance_events.SanctionLifted(
            partner_id="p1",
            sanction_id="s1",
            kind=sanction_pb2.SANCTION_KIND_NFR_WITHDRAWAL,
            lift_reason=sanction_pb2.SANCTION_LIFT_REASON_APPEAL_UPHELD,
        ),
        "p1",
    )
    restored = (await _grants(licensing))["CERTIFIED_1"]
    assert (restored.grant_id, restored.state) == (target.grant_id, nfr_pb2.GRANT_STATE_ACTIVE)
    assert list(restored.retired_keys) == [target.key]
    assert restored.valid_until_date == target.valid_until_date
    assert await _reason(licensing, restored.key) == key_pb.VERIFY_REASON_VALID
    assert await _reason(licensing, target.key) == key_pb.VERIFY_REASON_REVOKED
    await licensing.tap.wait_for(ev.NfrKeyIssued, lambda e: e.restored)


async def test_sanction_naming_no_key_withdraws_all_from_its_start_date(licensing, helpers):
    """R-NFR-11: an empty list means every key; a future start applies on that day's run; other kinds are ignored."""
    await helpers.status_changed(licensing, "p1", "GOLD", "2026-03-02", from_tier="BUSINESS")
    await licensing.publish_and_wait(
        "compliance", _sanction("other", [], kind=sanction_pb2.SANCTION_KIND_POINTS_REFUSAL), "p1"
    )
    await licensing.publish_and_wait("compliance", _sanction("s2", [], start="2026-04-01"), "p1")
    assert {g.state for g in (await _grants(licensing)).values()} == {nfr_pb2.GRANT_STATE_ACTIVE}
    licensing.clock.set(kyiv_datetime(date(2026, 4, 1), 1))
    await licensing.stub.RunYearlyRenewals(pb.RunYearlyRenewalsRequest(request_id="d1"), metadata=licensing.system())
    grants = await _grants(licensing)
    assert {g.revocation_cause for g in grants.values()} == {nfr_pb2.REVOCATION_CAUSE_SANCTION}


async def test_staff_revoke_with_reason_and_restore_after_a_mistake(licensing, helpers):
    """Revocation keeps the reason in the key's history; RestoreGrant re-issues the same grant."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    grant = (await _grants(licensing))["CERTIFIED_2"]
    before = await licensing.counts()
    await licensing.refused(
        licensing.stub.RevokeKey(
            pb.RevokeKeyRequest(request_id="v0", grant_id=grant.grant_id), metadata=licensing.staff()
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "REASON_REQUIRED",
    )
    await licensing.refused(
        licensing.stub.RestoreGrant(
            pb.RestoreGrantRequest(request_id="v1", grant_id=grant.grant_id, reason="x"), metadata=licensing.staff()
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "GRANT_NOT_REVOKED",
    )
    await licensing.refused(
        licensing.stub.RevokeKey(
            pb.RevokeKeyRequest(request_id="v2", grant_id="nope", reason="x"), metadata=licensing.staff()
        ),
        grpc.StatusCode.NOT_FOUND,
        "GRANT_NOT_FOUND",
    )
    assert await licensing.counts() == before
    revoked = await licensing.stub.RevokeKey(
        pb.RevokeKeyRequest(request_id="v3", grant_id=grant.grant_id, reason="key published on a forum"),
        metadata=licensing.staff(),
    )
    assert revoked.grant.history[-1].reason == "key published on a forum"
    restored = await licensing.stub.RestoreGrant(
        pb.RestoreGrantRequest(request_id="v4", grant_id=grant.grant_id, reason="revoked by mistake"),
        metadata=licensing.staff(),
    )
    assert restored.grant.key != grant.key and restored.grant.grant_id == grant.grant_id
    actions = [h.action for h in restored.grant.history]
    assert actions == [nfr_pb2.HISTORY_ACTION_ISSUED, nfr_pb2.HISTORY_ACTION_REVOKED, nfr_pb2.HISTORY_ACTION_RESTORED]
    assert all(h.policy_version for h in restored.grant.history)


async def test_partner_users_see_only_their_own_keys(licensing, helpers):
    """R-EMP-01/02: main and full-rights users see their partner's keys; others are PERMISSION_DENIED."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    grant = (await _grants(licensing))["CERTIFIED_1"]
    own = await licensing.stub.GetNfrGrant(
        pb.GetNfrGrantRequest(grant_id=grant.grant_id), metadata=licensing.partner("p1", PartnerRole.FULL)
    )
    assert own.grant.history[0].rule == "R-NFR-01"
    await licensing.refused(
        licensing.stub.GetNfrGrant(pb.GetNfrGrantRequest(grant_id=grant.grant_id), metadata=licensing.partner("p2")),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    await licensing.refused(
        licensing.stub.ListPartnerKeys(pb.ListPartnerKeysRequest(partner_id="p1"), metadata=licensing.partner("p2")),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    await licensing.refused(
        licensing.stub.GetCloudNfr(pb.GetCloudNfrRequest(partner_id="p1"), metadata=licensing.partner("p1")),
        grpc.StatusCode.NOT_FOUND,
        "CLOUD_NFR_NOT_FOUND",
    )
    await licensing.stub.IssueCloudNfr(
        pb.IssueCloudNfrRequest(request_id="c1", partner_id="p1", portal_domain="p1.bitrix24.ua"),
        metadata=licensing.partner("p1"),
    )
    await licensing.refused(
        licensing.stub.IssueCloudNfr(
            pb.IssueCloudNfrRequest(request_id="c2", partner_id="p1", portal_domain="p1.bitrix24.ua"),
            metadata=licensing.staff(),
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "CLOUD_NFR_ALREADY_ISSUED",
    )
    await licensing.refused(
        licensing.stub.IssueCloudNfr(
            pb.IssueCloudNfrRequest(request_id="c3", partner_id="p3", portal_domain="not a domain"),
            metadata=licensing.staff(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PORTAL_DOMAIN_INVALID",
    )
