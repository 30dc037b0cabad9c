"""NFR renewals count sales in the one unit points converted them to (R-NFR-06/08)."""

from datetime import date

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import events_pb2 as points_events
from ppcore.clock import kyiv_datetime

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

IN_YEAR = kyiv_datetime(date(2026, 9, 1), 12)


async def test_the_cloud_nfr_renews_on_sales_at_list_prices_not_on_the_discounted_purchase(licensing):
    """R-NFR-08: "продати будь-які продукти компанії «Бітрікс24» на загальну суму не менше 10 000
    гривень": a Bitrix24 cloud plan the partner bought for 5,994 UAH after its discount sells at its
    9,990 UAH list price; with a 1,190 UAH plan besides, the list total passes 10,000 and the cloud
    NFR renews, although the partner paid less than 10,000. The unit is the order's sales_uah."""  # noqa: RUF002
    await licensing.stub.IssueCloudNfr(
        pb.IssueCloudNfrRequest(request_id="cloud-p1", partner_id="p1", portal_domain="p1.bitrix24.ua"),
        metadata=licensing.partner("p1"),
    )
    ts = Timestamp()
    ts.FromDatetime(IN_YEAR)
    for order_id, paid, listed in (("o1", "5994.00", "9990.00"), ("o2", "714.00", "1190.00")):
        await licensing.publish_and_wait(
            "points",
            points_events.OrderRecorded(
                partner_id="p1", order_id=order_id, amount_uah=paid, sales_uah=listed, order_time=ts
            ),
            "p1",
        )
    counts = await licensing.stub.RunYearlyRenewals(
        pb.RunYearlyRenewalsRequest(request_id="run-1", run_date="2027-03-02"), metadata=licensing.system()
    )
    assert (counts.cloud_nfrs_renewed, counts.cloud_nfrs_downgraded) == (1, 0)
    cloud = (
        await licensing.stub.GetCloudNfr(pb.GetCloudNfrRequest(partner_id="p1"), metadata=licensing.staff())
    ).cloud_nfr
    assert cloud.state == nfr_pb2.CLOUD_NFR_STATE_ACTIVE
