"""Directory filters: one canonical city (R-LEAD-01), statuses, and the Gold-gated competency (R-CMP-02/04)."""

import pytest

from gateway_service.domain.cities import canonical_city
from gateway_service.domain.listing import shown_competencies
from gateway_service.entrypoints.mapping import price_verdict
from gateway_service.service_layer.directory_query import admitted_tiers
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb

GATED = {"LARGE_CORPORATE": "GOLD"}


@pytest.mark.parametrize("spelling", ["Київ", "м. Київ", "місто Київ", "Kyiv", " kyiv ", "Kiev", "Киев", "КИЇВ"])
def test_every_spelling_of_kyiv_is_one_city(spelling):
    """R-LEAD-01 (data rule): "Київ", "м. Київ" and "Kyiv" are one city."""
    assert canonical_city(spelling) == "kyiv"


def test_the_gateway_keys_cities_as_status_does():
    """R-LEAD-01: "a city is one canonical place ("Київ", "м. Київ", "Kyiv" match)": the
    directory's key is status's key (one implementation, ``ppcore.cities``), so a partner
    keyed by status is found by any spelling of the filter."""
    from status_service.domain.cities import canonical_city as status_canonical_city

    spellings = ("Київ", "м. Київ", "Kyiv", "Kiev", "Киев")
    assert {canonical_city(s) for s in spellings} == {status_canonical_city(s) for s in spellings} == {"kyiv"}
    assert canonical_city("Lviv") == status_canonical_city("Львов") != canonical_city("Київ")


def test_other_cities_stay_apart():
    assert canonical_city("Львів") == canonical_city("Lviv") != canonical_city("Київ")
    assert canonical_city("") == ""


def test_large_corporate_is_shown_only_while_gold():
    """R-CMP-02/04: losing Gold suspends Large corporate implementations: no badge."""
    codes = ("COMPOSITE_SITE", "LARGE_CORPORATE")
    assert shown_competencies(codes, "GOLD", GATED) == codes
    assert shown_competencies(codes, "CERTIFIED", GATED) == ("COMPOSITE_SITE",)
    assert shown_competencies(codes, None, GATED) == ("COMPOSITE_SITE",)


def test_filtering_by_a_gold_competency_admits_only_gold():
    """R-CMP-02/04: the per-competency listing of Large corporate shows Gold partners only."""
    assert admitted_tiers("", "LARGE_CORPORATE", GATED) == ("GOLD",)
    assert admitted_tiers("CERTIFIED", "LARGE_CORPORATE", GATED) == ()
    assert admitted_tiers("CERTIFIED", "", GATED) == ("CERTIFIED",)
    assert admitted_tiers("", "COMPOSITE_SITE", GATED) is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (compliance_pb.CheckResalePriceResponse(allowed=True), pb.PRICE_VERDICT_REASON_AT_OR_ABOVE_LIST),
        (
            compliance_pb.CheckResalePriceResponse(allowed=True, agreed_discount_id="ad-1"),
            pb.PRICE_VERDICT_REASON_AGREED_DISCOUNT,
        ),
        (
            compliance_pb.CheckResalePriceResponse(allowed=False, dumping_case_id="c-1"),
            pb.PRICE_VERDICT_REASON_BELOW_LIST,
        ),
    ],
)
def test_price_verdict_names_its_reason(answer, reason):
    """R-PRC-01/02: allowed at list, allowed under an agreed discount, refused below list."""
    assert price_verdict(answer).reason == reason
