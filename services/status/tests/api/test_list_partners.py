"""ListPartners pages with opaque tokens over a set-based query (issue 12)."""

from __future__ import annotations

import grpc
import pytest
from status_api_support import StatusApi, approved_partner

from partnerprogram.status.v1 import status_service_pb2 as pb
from status_service.adapters import repositories

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


async def test_a_page_read_by_the_cursor_a_few_rows_at_a_time_is_the_same_page(
    shared_api: StatusApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partners of a page are read a few rows per fetch, giving way to checkouts
    between fetches (bench status_checkout_with_staff_lists); the page is unchanged."""
    api = shared_api
    for i in range(7):
        await approved_partner(api, f"cur{i}")
    whole = await api.call("ListPartners", pb.ListPartnersRequest(page_size=6))
    monkeypatch.setattr(repositories, "ROWS_PER_READ", 2)
    in_parts = await api.call("ListPartners", pb.ListPartnersRequest(page_size=6))
    assert len(whole.partners) == 6
    assert list(in_parts.partners) == list(whole.partners)
    assert in_parts.next_page_token == whole.next_page_token
