"""Yearly renewals driven by the points service's order events (R-NFR-03, R-NFR-06, R-NFR-08)."""

from datetime import date

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import events_pb2 as points_events
from ppcore.clock import kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

IN_YEAR = kyiv_datetime(date(2026, 9, 1), 12)
CHECKLIST = nfr_pb2.SiteChecklist(
    company_description=True,
    services_list=True,
    partner_statement_in_words=True,
    product_description_all_editions=True,
    bitrix24_logo=True,
    powered_by_link_on_every_page=True,
)


async def _on_request_key(licensing, partner_id):
    licensing.status.set(partner_id)
    reply = await licensing.stub.RequestOnRequestKey(
        pb.RequestOnRequestKeyRequest(
            request_id=f"key-{partner_id}",
            partner_id=partner_id,
            site_url=f"https://{partner_id}.ua",
            site_on_product=True,
            checklist=CHECKLIST,
            original_design=True,
            site_topic=nfr_pb2.SITE_TOPIC_HOSTING,
        ),
        metadata=licensing.staff(),
    )
    approved = await licensing.stub.ApproveOnRequestKey(
        pb.ApproveOnRequestKeyRequest(
            request_id=f"approve-{partner_id}", key_request_id=reply.key_request.key_request_id, note="site checked"
        ),
        metadata=licensing.staff(),
    )
    return approved.grant


async def _cloud(licensing, partner_id):
    await licensing.stub.IssueCloudNfr(
        pb.IssueCloudNfrRequest(
            request_id=f"cloud-{partner_id}", partner_id=partner_id, portal_domain=f"{partner_id}.bitrix24.ua"
        ),
        metadata=licensing.partner(partner_id),
    )


async def _run(licensing, run_date, request_id):
    return await licensing.stub.RunYearlyRenewals(
        pb.RunYearlyRenewalsRequest(request_id=request_id, run_date=run_date), metadata=licensing.system()
    )


async def test_yearly_checks_renew_at_the_threshold_and_end_below_it(licensing, helpers):
    """R-NFR-06: sales of exactly two editions' price renew the on-request key, a kopeck less lapses it;
    R-NFR-08: 10,000 UAH renews the cloud NFR, 9,999.99 moves it to the free Project plan."""
    await _on_request_key(licensing, "exact")
    await _on_request_key(licensing, "short")
    await _cloud(licensing, "cloud-ok")
    await _cloud(licensing, "cloud-short")
    await helpers.order(licensing, "exact", "o1", "100000.00", IN_YEAR)
    await helpers.order(licensing, "exact", "o2", "45800.00", IN_YEAR)
    await helpers.order(licensing, "short", "o3", "145799.99", IN_YEAR)
    await helpers.order(licensing, "short", "o4", "5000.00", IN_YEAR)
    ts = Timestamp()
    ts.FromDatetime(IN_YEAR)
    await licensing.publish_and_wait(
        "points",
        points_events.OrderCancelled(partner_id="short", order_id="o4", amount_uah="5000.00", order_time=ts),
        "short",
    )
    await helpers.order(licensing, "cloud-ok", "o5", "10000", IN_YEAR)
    await helpers.order(licensing, "cloud-short", "o6", "9999.99", IN_YEAR)

    counts = await _run(licensing, "2027-03-02", "run-1")
    assert (counts.keys_renewed, counts.keys_lapsed, counts.cloud_nfrs_renewed, counts.cloud_nfrs_downgraded) == (
        1,
        1,
        1,
        1,
    )
    assert await _run(licensing, "2027-03-02", "run-1") == counts  # a retried call answers the same
    assert await _run(licensing, "2027-03-02", "run-2") == pb.RunYearlyRenewalsResponse()  # nothing due twice

    keys = {}
    for partner_id in ("exact", "short"):
        reply = await licensing.stub.ListPartnerKeys(
            pb.ListPartnerKeysRequest(partner_id=partner_id, include_inactive=True), metadata=licensing.staff()
        )
        keys[partner_id] = reply.grants[0]
    assert (keys["exact"].state, keys["exact"].valid_until_date) == (nfr_pb2.GRANT_STATE_ACTIVE, "2028-03-02")
    assert keys["short"].state == nfr_pb2.GRANT_STATE_LAPSED
    lapsed = (
        await licensing.stub.GetNfrGrant(
            pb.GetNfrGrantRequest(grant_id=keys["short"].grant_id), metadata=licensing.staff()
        )
    ).grant
    assert lapsed.history[-1].rule == "R-NFR-06"
    assert "145799.99" in lapsed.history[-1].reason

    clouds = {}
    for partner_id in ("cloud-ok", "cloud-short"):
        reply = await licensing.stub.GetCloudNfr(
            pb.GetCloudNfrRequest(partner_id=partner_id), metadata=licensing.staff()
        )
        clouds[partner_id] = reply.cloud_nfr
    assert (clouds["cloud-ok"].state, clouds["cloud-ok"].valid_until_date) == (
        nfr_pb2.CLOUD_NFR_STATE_ACTIVE,
        "2028-03-02",
    )
    assert (clouds["cloud-short"].state, clouds["cloud-short"].plan, clouds["cloud-short"].portal_domain) == (
        nfr_pb2.CLOUD_NFR_STATE_FREE_PLAN,
        "PROJECT",
        "cloud-short.bitrix24.ua",
    )
    await licensing.tap.wait_for(ev.NfrKeyRenewed)
    await licensing.tap.wait_for(ev.NfrKeyLapsed)
    await licensing.tap.wait_for(ev.CloudNfrRenewed)
    await licensing.tap.wait_for(ev.CloudNfrPlanChanged, lambda e: e.to_plan == "PROJECT")


async def test_unconfirmed_status_keys_lapse_the_day_after_their_last_day(licensing, helpers):
    """R-NFR-03: keys are active one year; without a confirmation they lapse after the last valid day."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    assert (await _run(licensing, "2027-03-02", "a")).keys_lapsed == 0
    assert (await _run(licensing, "2027-03-03", "b")).keys_lapsed == 2
    expiring = await licensing.stub.ListExpiringKeys(
        pb.ListExpiringKeysRequest(within_days=400, as_of_date="2026-03-02"), metadata=licensing.staff()
    )
    assert list(expiring.grants) == []


async def test_keys_expiring_within_n_days_are_listed_soonest_first(licensing, helpers):
    """Queries: active keys whose last valid day is within the next N days, paged."""
    await helpers.status_changed(licensing, "p1", "CERTIFIED", "2026-03-02", from_tier="BUSINESS")
    await helpers.status_changed(licensing, "p2", "GOLD", "2026-04-15", from_tier="BUSINESS")
    first = await licensing.stub.ListExpiringKeys(
        pb.ListExpiringKeysRequest(within_days=30, as_of_date="2027-02-20", page_size=1), metadata=licensing.staff()
    )
    assert [(g.partner_id, g.valid_until_date) for g in first.grants] == [("p1", "2027-03-02")]
    second = await licensing.stub.ListExpiringKeys(
        pb.ListExpiringKeysRequest(
            within_days=30, as_of_date="2027-02-20", page_size=1, page_token=first.next_page_token
        ),
        metadata=licensing.staff(),
    )
    assert [g.partner_id for g in second.grants] == ["p1"]
    wide = await licensing.stub.ListExpiringKeys(
        pb.ListExpiringKeysRequest(within_days=60, as_of_date="2027-02-20"), metadata=licensing.staff()
    )
    assert [g.partner_id for g in wide.grants] == ["p1", "p1", "p2", "p2", "p2", "p2"]
