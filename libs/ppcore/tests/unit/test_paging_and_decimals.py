"""Opaque page tokens and the shared decimal parser (issue 12)."""

import base64
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.decimals import parse_decimal
from ppcore.errors import InvalidArgument
from ppcore.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_OFFSET,
    encode_keyset,
    encode_token,
    keyset_page,
    keyset_window,
    page_window,
    query_fingerprint,
    set_list_scope,
    token_for,
)


def test_a_token_round_trips_to_its_offset():
    assert page_window(10, encode_token(30)) == (30, 10)


@pytest.mark.parametrize("token", ["2147483648", "9" * 19, "nope", "MTAw", "x" * 600])
def test_hand_made_tokens_are_refused(token):
    """Issue 12: "ListDirectory with page_token "2147483648" answers INTERNAL"."""
    with pytest.raises(InvalidArgument) as caught:
        page_window(10, token)
    assert caught.value.reason == "PAGE_TOKEN_INVALID"


def test_a_token_deeper_than_the_bound_is_refused():
    with pytest.raises(InvalidArgument):
        page_window(10, encode_token(MAX_OFFSET + 1))


def test_a_token_of_another_query_is_stale():
    set_list_scope(query_fingerprint("/s/ListPartners", status_pb.ListPartnersRequest(city="Kyiv")))
    token = encode_token(50)
    set_list_scope(query_fingerprint("/s/ListPartners", status_pb.ListPartnersRequest(city="Lviv")))
    with pytest.raises(InvalidArgument) as caught:
        page_window(10, token)
    assert "another query" in caught.value.message
    set_list_scope(query_fingerprint("/s/ListPartners", status_pb.ListPartnersRequest(city="Kyiv", page_size=7)))
    assert page_window(10, token)[0] == 50  # the page size may change between pages
    set_list_scope("")


@pytest.mark.parametrize("text", ["1e309", "NaN", "-0", "-0.00", "1" * 40, "", " ", "1,5", "0x10", "+1"])
def test_decimal_parser_refuses_what_no_column_can_hold(text):
    with pytest.raises(InvalidArgument) as caught:
        parse_decimal("order.amount_uah", text)
    assert caught.value.violations[0].field == "order.amount_uah"


def test_decimal_parser_accepts_plain_figures():
    assert parse_decimal("x", " 1250.50 ") == Decimal("1250.50")
    assert parse_decimal("x", "-3") == Decimal(-3)
    with pytest.raises(InvalidArgument):
        parse_decimal("x", "-3", allow_negative=False)


def test_a_tool_can_jump_to_a_page_of_a_query():
    request = status_pb.ListPartnersRequest(city="Kyiv", page_size=20)
    token = token_for("/s/ListPartners", request, 40)
    set_list_scope(query_fingerprint("/s/ListPartners", request))
    assert page_window(20, token) == (40, 20)
    set_list_scope("")


KEY_KINDS = (datetime, str)


def test_a_keyset_token_round_trips_to_the_last_rows_sort_key():
    at = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    rows = [(at, "e-3"), (at, "e-2"), (at, "e-1")]
    page, token = keyset_page(rows, 2, lambda r: r)
    assert page == rows[:2]
    assert keyset_window(2, token, KEY_KINDS) == ((at, "e-2"), 2)
    assert keyset_page(rows, 3, lambda r: r) == (rows, "")  # the last page has no token
    assert keyset_window(0, "", KEY_KINDS) == (None, DEFAULT_PAGE_SIZE)


@pytest.mark.parametrize(
    "token",
    ["2147483648", "9" * 19, "nope", "x" * 2000, encode_token(10), encode_keyset(["only one"]), encode_keyset([1, 2])],
)
def test_keyset_tokens_not_issued_for_this_order_are_refused(token):
    """Hand-made, an offset token, a key of another shape: INVALID_ARGUMENT, never a scan."""
    with pytest.raises(InvalidArgument) as caught:
        keyset_window(10, token, KEY_KINDS)
    assert caught.value.reason == "PAGE_TOKEN_INVALID"


def test_a_tampered_or_stale_keyset_token_is_refused():
    set_list_scope(query_fingerprint("/s/ListPartners", status_pb.ListPartnersRequest(city="Kyiv")))
    token = encode_keyset(["p-000100"])
    text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    forged = base64.urlsafe_b64encode(text.replace("p-000100", "p-999999").encode()).decode().rstrip("=")
    with pytest.raises(InvalidArgument):
        keyset_window(10, forged, (str,))
    assert keyset_window(10, token, (str,))[0] == ("p-000100",)
    set_list_scope(query_fingerprint("/s/ListPartners", status_pb.ListPartnersRequest(city="Lviv")))
    with pytest.raises(InvalidArgument) as caught:
        keyset_window(10, token, (str,))
    assert "another query" in caught.value.message
    set_list_scope("")
