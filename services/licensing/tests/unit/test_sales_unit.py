from decimal import Decimal

from licensing_service.service_layer.sales import counted_amount


def test_an_order_counts_in_the_unit_points_converted_it_to():
    """R-NFR-06/08: renewals count the order's sales_uah (list prices by policy default), converted once
    by points; an event from before that field counts what the partner paid, as it did."""
    assert counted_amount("9990.00", "5994.00") == Decimal("9990.00")
    assert counted_amount("", "5994.00") == Decimal("5994.00")
