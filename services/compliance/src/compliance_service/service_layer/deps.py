"""What every use case needs besides its unit of work: time, the policy, new ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ppcore.clock import Clock
from ppcore.errors import NotFound
from ppcore.policy import ProgramPolicy


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Deps:
    clock: Clock
    policy: ProgramPolicy
    new_id: Callable[[], str] = field(default=new_id)


# Called with the partner a loaded resource belongs to; raises when the caller may not see it.
ScopeCheck = Callable[[str], None]


def no_scope(_partner_id: str) -> None:
    """Staff and systems see every partner."""


def partner_not_found(partner_id: str) -> NotFound:
    return NotFound(
        reason="PARTNER_NOT_FOUND",
        message=f"partner_id: partner {partner_id} is not known (approved partners come from the status service)",
    )
