"""Variants of the program policy for tests that prove a rule under a non-default switch."""

from __future__ import annotations

from ppcore.policy import ProgramPolicy


def holidays_off(policy: ProgramPolicy) -> ProgramPolicy:
    """The policy with public holidays as days off again (martial law's rule switched off, R-POL-02)."""
    martial_law = policy.calendar.martial_law.model_copy(update={"holidays_are_working_days": False})
    return policy.model_copy(update={"calendar": policy.calendar.model_copy(update={"martial_law": martial_law})})
