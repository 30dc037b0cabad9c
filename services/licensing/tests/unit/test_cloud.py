from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from licensing_service.domain import CloudNfrPlanChanged, CloudNfrRenewed, CloudNfrState, PartnerNfr, RenewalSubject
from ppcore.clock import kyiv_datetime
from ppcore.errors import AlreadyExists, InvalidArgument

ON = date(2026, 6, 15)


def at(d: date, hour: int = 10) -> datetime:
    """An instant on the Kyiv date ``d``."""
    return kyiv_datetime(d, hour)


def _issued(policy) -> PartnerNfr:
    portfolio = PartnerNfr("p1")
    portfolio.issue_cloud_nfr(cloud_nfr_id="c1", portal_domain=" Partner.Bitrix24.UA ", now=at(ON), policy=policy)
    portfolio.collect_events()
    return portfolio


def _check(portfolio, sales, policy, on=date(2027, 6, 15)):
    (due,) = portfolio.renewals_due(on, policy)
    assert due.subject is RenewalSubject.CLOUD_NFR
    portfolio.apply_yearly_check(due, Decimal(sales), at(on), policy)


def test_cloud_nfr_has_company_plan_24_gb_and_no_custom_domain(policy):
    """R-NFR-07: the portal domain from the card gets the Company plan limits."""
    portfolio = PartnerNfr("p1")
    cloud = portfolio.issue_cloud_nfr(cloud_nfr_id="c1", portal_domain="partner.bitrix24.ua", now=at(ON), policy=policy)
    assert (cloud.plan, cloud.disk_gb, cloud.custom_domain_allowed) == ("COMPANY", 24, False)
    assert cloud.valid_until == date(2027, 6, 15)
    (event,) = portfolio.collect_events()
    assert event.portal_domain == "partner.bitrix24.ua"  # type: ignore[attr-defined]


@pytest.mark.parametrize("domain", ["", "no-dots", "bad_domain.ua", "-x.ua", "https://x.ua/"])
def test_portal_domain_must_be_a_host_name(policy, domain):
    """R-NFR-07: the portal domain is a host name."""
    with pytest.raises(InvalidArgument) as refused:
        PartnerNfr("p1").issue_cloud_nfr(cloud_nfr_id="c1", portal_domain=domain, now=at(ON), policy=policy)
    assert refused.value.reason == "PORTAL_DOMAIN_INVALID"


@pytest.mark.parametrize("domain", ["studio.bitrix24.ua", "Studio.Bitrix24.com", "studio.bitrix24.com.br"])
def test_a_bitrix24_cloud_portal_domain_qualifies(policy, domain):
    """R-NFR-07: a Bitrix24 cloud portal (a name on a policy cloud suffix) gets the cloud NFR.

    Document 6.3: "Доменне ім'я порталу Партнера необхідно ввести в спеціальному полі
    Картки партнера. Після цього портал буде автоматично переведений на NFR."
    """
    cloud = PartnerNfr("p1").issue_cloud_nfr(cloud_nfr_id="c1", portal_domain=domain, now=at(ON), policy=policy)
    assert cloud.portal_domain == domain.lower()


@pytest.mark.parametrize(
    "domain",
    ["crm.studio.ua", "studio.ua", "bitrix24.ua", "a.b.bitrix24.ua", "studio.bitrix24.ua.evil.com", "xbitrix24.ua"],
)
def test_a_custom_domain_is_refused_with_a_reason(policy, domain):
    """R-NFR-07: a custom domain does not qualify for the cloud NFR; the refusal says why.

    Document 6.3: "для порталу на NFR не можна використовувати власний домен".
    """
    with pytest.raises(InvalidArgument) as refused:
        PartnerNfr("p1").issue_cloud_nfr(cloud_nfr_id="c1", portal_domain=domain, now=at(ON), policy=policy)
    assert refused.value.reason == "PORTAL_DOMAIN_CUSTOM"
    assert "custom domain" in refused.value.message and "bitrix24.ua" in refused.value.message


def test_second_cloud_nfr_is_refused(policy):
    """R-NFR-07: one cloud NFR per partner."""
    with pytest.raises(AlreadyExists):
        _issued(policy).issue_cloud_nfr(cloud_nfr_id="c2", portal_domain="x.bitrix24.ua", now=at(ON), policy=policy)


def test_sales_of_10000_uah_renew_the_cloud_nfr(policy):
    """R-NFR-08: at least 10,000 UAH within the year renews it."""
    portfolio = _issued(policy)
    _check(portfolio, "10000.00", policy)
    assert portfolio.cloud is not None
    assert portfolio.cloud.is_active
    assert portfolio.cloud.valid_until == date(2028, 6, 15)
    (event,) = portfolio.collect_events()
    assert isinstance(event, CloudNfrRenewed)


def test_sales_of_9999_99_uah_move_the_portal_to_the_free_plan(policy):
    """R-NFR-08: short of 10,000 UAH the portal moves to the free Project plan and is kept."""
    portfolio = _issued(policy)
    _check(portfolio, "9999.99", policy)
    cloud = portfolio.cloud
    assert cloud is not None
    assert (cloud.state, cloud.plan, cloud.portal_domain) == (CloudNfrState.FREE_PLAN, "PROJECT", "partner.bitrix24.ua")
    (event,) = portfolio.collect_events()
    assert isinstance(event, CloudNfrPlanChanged)
    assert (event.from_plan, event.to_plan) == ("COMPANY", "PROJECT")
    assert portfolio.renewals_due(date(2030, 1, 1), policy) == ()


def test_cloud_check_runs_every_year(policy):
    """R-NFR-08: checked yearly: renewed once, then moved to the free plan a year later."""
    portfolio = _issued(policy)
    _check(portfolio, "50000", policy)
    assert portfolio.renewals_due(date(2028, 6, 14), policy) == ()
    _check(portfolio, "0", policy, on=date(2028, 6, 15))
    assert portfolio.cloud is not None
    assert portfolio.cloud.state is CloudNfrState.FREE_PLAN
