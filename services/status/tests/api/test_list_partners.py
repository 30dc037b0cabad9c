"""ListPartners pages with opaque tokens over a set-based query (issue 12)."""

from __future__ import annotations

import grpc
import pytest
from status_api_support import StatusApi, approved_partner

from partnerprogram.status.v1 import status_service_pb2 as pb

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_pages_walk_every_partner_once_and_a_token_of_other_filters_is_refused(shared_api: StatusApi) -> None:
    """Issue 12: "Make page tokens opaque ... and a bad or stale token INVALID_ARGUMENT";
    "make list queries set-based and bounded"."""
    api = shared_api
    created = {await approved_partner(api, f"lp{i}") for i in range(7)}
    seen: list[str] = []
    token = ""
    while True:
        page = await api.call("ListPartners", pb.ListPartnersRequest(page_size=3, page_token=token))
        seen.extend(p.partner_id for p in page.partners)
        token = page.next_page_token
        if not token:
            break
        assert not token.isdigit()  # opaque, not an offset a caller could forge
    assert created <= set(seen) and len(seen) == len(set(seen))
    assert seen == sorted(seen)
    first = await api.call("ListPartners", pb.ListPartnersRequest(page_size=3))
    stale = await api.refused(
        "ListPartners", pb.ListPartnersRequest(page_size=3, city="Kyiv", page_token=first.next_page_token)
    )
    assert (stale.code, stale.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PAGE_TOKEN_INVALID")
    forged = await api.refused("ListPartners", pb.ListPartnersRequest(page_token="9" * 19))
    assert (forged.code, forged.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PAGE_TOKEN_INVALID")
