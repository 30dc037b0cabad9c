"""Site identity for projects (R-PRJ-05, R-PRJ-07): one canonical key per site.

``HTTPS://www.Приклад.укр/`` and ``http://xn--80aikifvh.xn--j1amh`` are the same site:
scheme, ``www.`` and the mobile mirror's ``m.``, letter case, default ports, trailing
slashes, query and fragment are dropped and international names become punycode. Known
mirrors and aliases (declared with a project, or declared by staff and stored) map to the
site they mirror: 5.4 "Забороняється додавати дзеркала, аліаси одного й того ж проекту".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from ppcore.errors import InvalidArgument

_DEFAULT_PORTS = {"http": 80, "https": 443}
_MIRROR_PREFIXES = ("www.", "m.")


def _punycode_host(host: str, field_path: str) -> str:
    labels = host.rstrip(".").split(".")
    try:
        # stdlib IDNA (RFC 3490) per label; ASCII labels pass through lowercased.
        return ".".join(label.encode("idna").decode("ascii").lower() for label in labels)
    except UnicodeError:
        raise InvalidArgument.for_field(
            field_path, f"{host!r} is not a valid host name (R-PRJ-05)", reason="PROJECT_SITE_INVALID", rule="R-PRJ-05"
        ) from None


def normalize_site(url: str, *, field_path: str = "project.site_url") -> str:
    """The canonical key of a site address (R-PRJ-05): ``host[:port][/path]``, lowercased, punycode, no ``www.``."""
    raw = url.strip()
    if not raw:
        raise InvalidArgument.for_field(field_path, "is required", reason="PROJECT_SITE_MISSING", rule="R-PRJ-05")
    if "://" not in raw:
        raw = f"http://{raw}"
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise InvalidArgument.for_field(
            field_path, f"{url!r} is not a site address (R-PRJ-05)", reason="PROJECT_SITE_INVALID", rule="R-PRJ-05"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidArgument.for_field(
            field_path, f"{url!r} is not a web site address (R-PRJ-05)", reason="PROJECT_SITE_INVALID", rule="R-PRJ-05"
        )
    host = _punycode_host(parts.hostname, field_path)
    for mirror_prefix in _MIRROR_PREFIXES:
        # R-PRJ-05: www.site.ua and the mobile mirror m.site.ua are site.ua.
        if host.startswith(mirror_prefix) and "." in host[len(mirror_prefix) :]:
            host = host[len(mirror_prefix) :]
            break
    if "." not in host:
        raise InvalidArgument.for_field(
            field_path, f"{url!r} has no public host name (R-PRJ-05)", reason="PROJECT_SITE_INVALID", rule="R-PRJ-05"
        )
    if port is not None and port not in _DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    path = parts.path.rstrip("/").lower()
    return f"{host}{path}"


@dataclass(frozen=True)
class SiteAliases:
    """Known mirrors and aliases: canonical key of a mirror -> canonical key of the site it mirrors."""

    mirror_of: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_urls(cls, pairs: Iterable[tuple[str, str]]) -> SiteAliases:
        """Built from (mirror url, main site url) pairs."""
        return cls({normalize_site(mirror): normalize_site(main) for mirror, main in pairs})

    def equivalents(self, site_key: str) -> frozenset[str]:
        """Every key that is the same site as ``site_key``: the main site it resolves to and every
        alias of that main site (so an alias declared after a project was added still collides)."""
        main = self.resolve(site_key)
        return frozenset({site_key, main} | {alias for alias in self.mirror_of if self.resolve(alias) == main})

    def resolve(self, site_key: str) -> str:
        """The main site behind ``site_key`` (itself when it is no known mirror); follows chains, stops on loops."""
        seen = {site_key}
        current = site_key
        while current in self.mirror_of:
            current = self.mirror_of[current]
            if current in seen:
                break
            seen.add(current)
        return current


def site_keys(site_url: str, mirror_urls: Iterable[str], aliases: SiteAliases) -> frozenset[str]:
    """Every key a project occupies: its site and its declared mirrors and aliases, each with every
    key staff declared the same site (R-PRJ-05)."""
    keys = {normalize_site(site_url)}
    keys.update(normalize_site(m, field_path="project.mirror_urls") for m in mirror_urls)
    return frozenset().union(*(aliases.equivalents(k) for k in keys))


@dataclass(frozen=True)
class SiteAlias:
    """R-PRJ-05: staff's finding that ``alias_key`` is a mirror or alias of ``site_key``."""

    alias_key: str
    site_key: str
    declared_by: str
    declared_at: datetime
    note: str = ""


def declare_alias(
    alias_url: str, site_url: str, *, known: SiteAliases, declared_by: str, at: datetime, note: str = ""
) -> SiteAlias:
    """R-PRJ-05: "Забороняється додавати дзеркала, аліаси одного й того ж проекту": staff declare that
    one address serves the same site as another, so a project on either is the same project."""
    alias_key = normalize_site(alias_url, field_path="alias_url")
    site_key = normalize_site(site_url, field_path="site_url")
    if known.resolve(site_key) == known.resolve(alias_key):
        raise InvalidArgument.for_field(
            "alias_url",
            f"{alias_key} is the same site as {site_key} already (R-PRJ-05)",
            reason="SITE_ALIAS_EXISTS",
            rule="R-PRJ-05",
        )
    if alias_key in known.mirror_of:
        raise InvalidArgument.for_field(
            "alias_url",
            f"{alias_key} is declared an alias of {known.mirror_of[alias_key]} already (R-PRJ-05)",
            reason="SITE_ALIAS_EXISTS",
            rule="R-PRJ-05",
        )
    return SiteAlias(alias_key, site_key, declared_by, at, note.strip())
