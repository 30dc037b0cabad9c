"""The NFR usage rule (R-NFR-09), recorded on every grant and shown with every key."""

from __future__ import annotations

from enum import StrEnum


class UsageRestriction(StrEnum):
    """What an NFR licence may be used for (R-NFR-09)."""

    OWN_SITE_OR_DEMO = "OWN_SITE_OR_DEMO"


USAGE_RULE_TEXT = (
    "R-NFR-09: only for the partner's own internal portal or site, or for demonstrations to "
    "clients; never for client development, transfer or resale."
)
