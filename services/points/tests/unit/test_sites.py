import pytest

from points_service.domain.sites import SiteAliases, normalize_site, site_keys
from ppcore.errors import InvalidArgument


@pytest.mark.parametrize(
    "url",
    [
        "example.com",
        "http://example.com",
        "https://www.example.com/",
        "HTTPS://WWW.EXAMPLE.COM:443//",
        "example.com./?utm=1#top",
    ],
)
def test_scheme_www_case_port_and_trailing_slash_do_not_make_another_site(url):
    """R-PRJ-05: normalisation drops scheme, www., case, default ports, trailing slash, query and fragment."""
    assert normalize_site(url) == "example.com"


def test_international_names_become_punycode():
    """R-PRJ-05: an IDN and its punycode form are the same site."""
    assert normalize_site("https://www.Приклад.укр/") == normalize_site("http://xn--80aikifvh.xn--j1amh")
    assert normalize_site("приклад.укр") == "xn--80aikifvh.xn--j1amh"


def test_paths_and_non_default_ports_stay_part_of_the_site():
    """R-PRJ-05: a site under a path or on another port is told apart."""
    assert normalize_site("example.com/Shop/") == "example.com/shop"
    assert normalize_site("https://example.com:8443") == "example.com:8443"


@pytest.mark.parametrize("url", ["", "   ", "ftp://example.com", "http://localhost", "http://exa mple.com:x"])
def test_what_is_not_a_web_site_address_is_invalid(url):
    """R-PRJ-05: a site address must be a public http(s) host."""
    with pytest.raises(InvalidArgument) as exc:
        normalize_site(url)
    assert exc.value.rule == "R-PRJ-05"


def test_known_mirrors_resolve_to_the_site_they_mirror():
    """R-PRJ-05: known mirrors and aliases count as the site itself; a project occupies every address
    known to be the same site, so an alias of it collides whichever way it was declared."""
    aliases = SiteAliases.from_urls([("shop-mirror.net", "www.shop.com"), ("shop.com.ua", "shop-mirror.net")])
    assert aliases.resolve("shop.com.ua") == "shop.com"
    same_site = frozenset({"shop.com.ua", "shop.com", "shop-mirror.net"})
    assert site_keys("https://shop.com.ua", (), aliases) == same_site
    assert site_keys("https://shop.com", (), aliases) == same_site
    looping = SiteAliases({"a.com": "b.com", "b.com": "a.com"})
    assert looping.resolve("a.com") in {"a.com", "b.com"}
