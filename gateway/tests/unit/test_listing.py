"""Who is listed and with which counted facts (R-CARD-01, R-SAN-05/06/07, R-EMP-06, R-CARD-03)."""

from datetime import date

from gateway_service.domain.listing import (
    SanctionPeriod,
    card_complete,
    certified_employee_count,
    counts_as_marketing,
    in_force,
    parse_points,
)


def test_card_listed_when_status_found_it_eligible():
    """R-CARD-01: the status service's eligibility verdict is the authority on the card."""
    assert card_complete(True, [])


def test_card_with_a_missing_item_is_not_listed():
    """R-CARD-01: without a logo (or any other item) the partner is hidden."""
    assert not card_complete(False, ["LOGO"])
    assert not card_complete(False, ["LOGO", "NOT_EXCLUDED_BY_SANCTION"])


def test_card_missing_only_dynamic_items_counts_as_complete():
    """R-SAN-05: a card published during an exclusion is listed again once the gateway sees it end."""
    assert card_complete(False, ["NOT_EXCLUDED_BY_SANCTION"])
    assert card_complete(False, ["ACTIVE_PARTNERSHIP", "NOT_EXCLUDED_BY_SANCTION"])


def test_ineligible_without_named_items_is_not_listed():
    assert not card_complete(False, [])


def test_sanction_holds_from_start_until_the_exclusive_end():
    """R-SAN-05: an exclusion of 3 months holds from its start date to the day before its end."""
    exclusion = SanctionPeriod(date(2026, 3, 1), date(2026, 6, 1))
    assert not in_force(exclusion, date(2026, 2, 28))
    assert in_force(exclusion, date(2026, 3, 1))
    assert in_force(exclusion, date(2026, 5, 31))
    assert not in_force(exclusion, date(2026, 6, 1))


def test_sanction_without_end_holds_until_lifted():
    """R-SAN-06: a violators-list sanction without end holds until lifted."""
    listing = SanctionPeriod(date(2026, 3, 1), None)
    assert in_force(listing, date(2030, 1, 1))
    assert not in_force(SanctionPeriod(date(2026, 3, 1), None, lifted=True), date(2026, 4, 1))


def test_certified_employees_are_attached_logins_holding_every_required_course():
    """R-EMP-06: only attached logins count; R-STS-02: they must hold every required course."""
    required = frozenset({"SM_ADMINISTRATOR", "SM_DEVELOPER"})
    courses = {
        "anna": frozenset({"SM_ADMINISTRATOR", "SM_DEVELOPER"}),
        "bob": frozenset({"SM_ADMINISTRATOR"}),
        "detached": frozenset({"SM_ADMINISTRATOR", "SM_DEVELOPER", "B24_INTEGRATOR"}),
    }
    assert certified_employee_count(["anna", "bob", "carol"], courses, required) == 1


def test_marketing_activity_is_a_granted_marketing_request():
    """R-CARD-03 marketing activity: granted MARKETING_ACTIVITY requests; denials and other categories do not count."""
    assert counts_as_marketing("MARKETING_ACTIVITY", "5")
    assert not counts_as_marketing("MARKETING_ACTIVITY", "0")
    assert not counts_as_marketing("CLIENT_REVIEW", "5")


def test_points_parse_as_decimals_and_garbage_as_zero():
    assert parse_points("12.50") == parse_points("12.5")
    assert parse_points("") == 0
    assert parse_points("abc") == 0
