"""The history every NFR key and cloud NFR keeps: what happened, why, under which policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class HistoryAction(StrEnum):
    ISSUED = "ISSUED"
    EDITION_CHANGED = "EDITION_CHANGED"
    RENEWED = "RENEWED"
    LAPSED = "LAPSED"
    REVOKED = "REVOKED"
    RESTORED = "RESTORED"
    PLAN_CHANGED = "PLAN_CHANGED"
    SITE_CHECKED = "SITE_CHECKED"


@dataclass(frozen=True)
class HistoryEntry:
    """One change. ``key`` is empty for the cloud NFR; ``detail`` is the edition or plan after it."""

    at: datetime
    action: HistoryAction
    reason: str
    rule: str
    policy_version: str
    key: str
    detail: str
    valid_until: date
