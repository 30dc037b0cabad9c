"""License-key facts a project is checked against at submission (R-PRJ-04).

The licensing service's key registry supplies them; the domain only judges them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ppcore.errors import InvalidArgument

_FIELD = "project.license_key"


@dataclass(frozen=True)
class KeyFacts:
    """What the key registry knows about a license key."""

    license_key: str
    found: bool
    is_demo: bool = False
    is_activated: bool = False
    registered_to_client: bool = False
    edition_code: str | None = None

    @classmethod
    def unknown(cls, license_key: str) -> KeyFacts:
        return cls(license_key=license_key, found=False)


def check_key_facts(license_key: str, facts: KeyFacts | None) -> KeyFacts:
    """R-PRJ-04: the key is the basis for points; a missing, unknown, demo, inactive or
    not-client-registered key is refused at submission as invalid input, not moderated."""

    def refuse(reason: str, description: str) -> InvalidArgument:
        return InvalidArgument.for_field(_FIELD, f"{description} (R-PRJ-04)", reason=reason, rule="R-PRJ-04")

    if not license_key.strip() or facts is None:
        raise refuse("PROJECT_KEY_MISSING", "a project needs its license (activation) key")
    if not facts.found:
        raise refuse("PROJECT_KEY_NOT_FOUND", "the license key is not in the key registry")
    if facts.is_demo:
        raise refuse("PROJECT_KEY_DEMO", "a demo key earns no points")
    if not facts.is_activated:
        raise refuse("PROJECT_KEY_NOT_ACTIVATED", "the license key is not activated")
    if not facts.registered_to_client:
        raise refuse("PROJECT_KEY_NOT_REGISTERED_TO_CLIENT", "the license key is not registered to the client")
    return facts
