"""Status keys follow the status service's events over real JetStream (R-NFR-01, R-NFR-03, R-NFR-07, R-NFR-12)."""

from datetime import timedelta

import pytest
import yaml

from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import license_key_pb2 as key_pb
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.status.v1 import card_pb2, simulation_pb2, status_pb2
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.events import make_envelope
from ppcore.policy import DEFAULT_POLICY_PATH, load_policy
from ppcore.testing.polling import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def _keys(licensing, partner_id, include_inactive=False):
    reply = await licensing.stub.ListPartnerKeys(
        pb.ListPartnerKeysRequest(partner_id=partner_id, include_inactive=include_inactive),
        metadata=licensing.staff(),
    )
    return list(reply.grants)


async def _verify(licensing, key, owner=""):
    reply = await licensing.stub.VerifyKey(
        pb.VerifyKeyRequest(key=key, expected_owner_id=owner), metadata=licensing.system()
    )
    return reply.verdict


async def test_straight_jump_to_gold_issues_four_business_keys_that_verify(licensing, helpers):
    """R-NFR-01: Business -> Gold in one step gives 4 Business keys; each verifies for the partner (R-NFR-10)."""
    await helpers.status_changed(licensing, "p1", "GOLD", "2026-03-02", from_tier="BUSINESS")
    grants = await _keys(licensing, "p1")
    assert sorted(g.entitlement for g in grants) == ["CERTIFIED_1", "CERTIFIED_2", "GOLD_1", "GOLD_2"]
    assert {g.edition for g in grants} == {"SM_BUSINESS"}
    assert {g.valid_until_date for g in grants} == {"2027-03-02"}
    issued = await licensing.tap.wait_for(ev.NfrKeyIssued, count=4)
    assert {e.key for e in issued} == {g.key for g in grants}
    verdict = await _verify(licensing, grants[0].key.lower().replace("-", ""), owner="p1")
    assert verdict.reason == key_pb.VERIFY_REASON_VALID
    assert (verdict.owner_id, verdict.kind, verdict.valid_until_date) == (
        "p1",
        key_pb.KEY_KIND_NFR_STATUS,
        "2027-03-02",
    )


async def test_certified_then_gold_adds_two_and_a_redelivered_event_issues_nothing(licensing, helpers):
    """R-NFR-01: never twice for the same entitlement, even when the same event is delivered again."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    assert len(await _keys(licensing, "p1")) == 2
    gold = status_events.StatusChanged(
        partner_id="p1",
        from_tier=status_pb2.PARTNER_TIER_CERTIFIED,
        to_tier=status_pb2.PARTNER_TIER_GOLD,
        granted_date="2026-06-01",
    )
    envelope = make_envelope(gold, source="status", time=licensing.clock.now(), partner_id="p1")
    subject = licensing.naming.subject_for(envelope.type)
    await licensing.bus.js.publish(subject, envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})
    await licensing.handled(envelope.id)
    # The same envelope again, past JetStream's de-duplication (another message id): the inbox stops it.
    await licensing.bus.js.publish(subject, envelope.SerializeToString(), headers={"Nats-Msg-Id": "again"})
    await helpers.status_changed(licensing, "p1", "GOLD", "2026-06-01", from_tier="CERTIFIED")  # a replay, new id
    assert len(await _keys(licensing, "p1", include_inactive=True)) == 4
    assert await licensing.scalar("SELECT count(*) FROM nfr_grants") == 4


async def test_confirmation_renews_and_gold_to_certified_revokes_two_keeps_two(licensing, helpers):
    """R-NFR-03: at the anniversary Gold -> Certified revokes Gold's 2 keys; StatusConfirmed renews the rest."""
    await helpers.status_changed(licensing, "p1", "GOLD", "2026-03-02", from_tier="BUSINESS")
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2027-03-02", from_tier="GOLD")
    grants = await _keys(licensing, "p1", include_inactive=True)
    states = {g.entitlement: (g.state, g.valid_until_date) for g in grants}
    assert states["GOLD_1"][0] == states["GOLD_2"][0] == nfr_pb2.GRANT_STATE_REVOKED
    assert states["CERTIFIED_1"] == (nfr_pb2.GRANT_STATE_ACTIVE, "2028-03-02")
    revoked = await licensing.tap.wait_for(ev.NfrKeyRevoked, count=2)
    assert {r.rule for r in revoked} == {"R-NFR-03"}
    gold_key = next(g.key for g in grants if g.entitlement == "GOLD_1")
    assert (await _verify(licensing, gold_key)).reason == key_pb.VERIFY_REASON_REVOKED

    await licensing.publish_and_wait(
        "status",
        status_events.StatusConfirmed(
            partner_id="p1",
            tier=status_pb2.PARTNER_TIER_CERTIFIED,
            granted_date="2027-03-02",
            valid_until_date="2029-03-02",
        ),
        "p1",
    )
    active = await _keys(licensing, "p1")
    assert {g.valid_until_date for g in active} == {"2029-03-02"}
    await licensing.tap.wait_for(ev.NfrKeyRenewed, lambda e: e.valid_until_date == "2029-03-02", count=2)


async def test_termination_revokes_every_key_and_the_cloud_nfr(licensing, helpers):
    """R-NFR-12: termination revokes every NFR key and the cloud NFR; later status events change nothing."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    await licensing.publish_and_wait(
        "status",
        status_events.CardPublished(partner_id="p1", content=card_pb2.CardContent(portal_domain="P1.Bitrix24.ua")),
        "p1",
    )
    cloud = (
        await licensing.stub.GetCloudNfr(pb.GetCloudNfrRequest(partner_id="p1"), metadata=licensing.staff())
    ).cloud_nfr
    assert (cloud.portal_domain, cloud.plan, cloud.disk_gb, cloud.custom_domain_allowed) == (
        "p1.bitrix24.ua",
        "COMPANY",
        24,
        False,
    )  # R-NFR-07
    await licensing.publish_and_wait(
        "status", status_events.PartnerTerminated(partner_id="p1", effective_date="2026-03-02", reason="notice"), "p1"
    )
    grants = await _keys(licensing, "p1", include_inactive=True)
    assert {(g.state, g.revocation_cause) for g in grants} == {
        (nfr_pb2.GRANT_STATE_REVOKED, nfr_pb2.REVOCATION_CAUSE_TERMINATION)
    }
    cloud = (
        await licensing.stub.GetCloudNfr(pb.GetCloudNfrRequest(partner_id="p1"), metadata=licensing.staff())
    ).cloud_nfr
    assert cloud.state == nfr_pb2.CLOUD_NFR_STATE_REVOKED
    assert cloud.history[-1].rule == "R-NFR-12"
    await licensing.tap.wait_for(ev.CloudNfrRevoked)
    assert (await _verify(licensing, grants[0].key)).reason == key_pb.VERIFY_REASON_REVOKED
    await helpers.status_changed(licensing, "p1", "GOLD", "2026-04-01", from_tier="CERTIFIED")
    assert await _keys(licensing, "p1") == []


async def test_keys_per_status_follow_the_policy_version_in_force_on_the_day(licensing, helpers):
    """R-POL-01, R-NFR-01: a version scheduled in status (Certified gets 3 keys from 3 March)
    reaches licensing; before its date a new Certified partner gets the policy file's 2 keys,
    from its date 3, and each key records the version it was issued under."""
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    raw["version"] = "three-keys"
    raw["nfr"]["certified_keys"] = 3
    licensing.status.versions = [
        simulation_pb2.PolicyVersion(
            version="three-keys", effective_date="2026-03-03", document=yaml.safe_dump(raw, allow_unicode=True)
        )
    ]
    served = licensing.status.versions_served

    async def fetched_twice() -> bool:  # a fetch begun after another ended: the book has the version
        return licensing.status.versions_served >= served + 2

    await eventually(fetched_twice)

    await helpers.status_changed(licensing, "before", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    assert len(await _keys(licensing, "before")) == 2
    licensing.clock.advance(timedelta(days=1))
    await helpers.status_changed(licensing, "on-date", "CERTIFIED", "2026-03-03", from_tier="BUSINESS")
    assert sorted(g.entitlement for g in await _keys(licensing, "on-date")) == [
        "CERTIFIED_1",
        "CERTIFIED_2",
        "CERTIFIED_3",
    ]
    issued = await licensing.tap.wait_for(ev.NfrKeyIssued, lambda e: e.partner_id == "on-date", count=3)
    assert {e.policy_version for e in issued} == {"three-keys"}
    before = licensing.tap.of_type(ev.NfrKeyIssued)
    assert {e.policy_version for e in before if e.partner_id == "before"} == {load_policy().version}
