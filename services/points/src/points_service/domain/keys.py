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
    # A commercial key sold for a client; False for a partner's NFR key (R-NFR-09).
    registered_to_client: bool = False
    # Who the registry has the key registered to (client or partner id); empty when it has no owner.
    owner_id: str = ""
    edition_code: str | None = None

    @classmethod
    def unknown(cls, license_key: str) -> KeyFacts:
        return cls(license_key=license_key, found=False)


def check_key_facts(license_key: str, facts: KeyFacts | None, *, submitter: str = "") -> KeyFacts:
    """R-PRJ-04: the key is the basis for points; a missing, unknown, demo or inactive key, a partner's
    NFR key and a key visibly registered to the submitting partner itself are refused at submission as
    invalid input, not moderated. Whether the client owner's details are right is the moderator's call."""

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
    if submitter and facts.owner_id.strip().casefold() == submitter.strip().casefold():
        # 5.4: the key "повинен бути зареєстрований на клієнта", not on the partner that built the site.
        raise refuse(
            "PROJECT_KEY_REGISTERED_TO_PARTNER",
            f"the license key is registered to partner {submitter} itself, not to the client",
        )
    return facts
