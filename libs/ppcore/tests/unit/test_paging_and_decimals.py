"""Opaque page tokens and the shared decimal parser (issue 12)."""

from decimal import Decimal

import pytest

from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.decimals import parse_decimal
from ppcore.errors import InvalidArgument
from ppcore.paging import MAX_OFFSET, encode_token, page_window, query_fingerprint, set_list_scope, token_for


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
