"""Use of the program's trademark (R-PRT-08)."""

from __future__ import annotations


def trademark_use_allowed(*, own_advertising: bool, has_written_consent: bool) -> bool:
    """A partner's own advertising may use the mark; anything else needs written consent (R-PRT-08).

    A use this refuses is a violation for compliance to record (R-VIO-01).
    """
    return own_advertising or has_written_consent
