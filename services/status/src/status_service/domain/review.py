"""What the daily review decides for one partner on one day (R-STS-05, R-PRT-07, R-SAN-01).

One pure function over a partner and its facts, so that the daily review and the policy
simulation (R-POL-01) cannot disagree: both call ``review_partner``.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from datetime import datetime

from ppcore.clock import kyiv_date
from ppcore.policy import ProgramPolicy
from status_service.domain.lifecycle import complete_termination
from status_service.domain.partner import Partner
from status_service.domain.sanction_effects import prune_ended_sanctions
from status_service.domain.status_engine import evaluate_status, partner_status_facts
from status_service.domain.status_record import StatusHistoryEntry


def review_partner(
    partner: Partner, courses: Mapping[str, frozenset[str]], now: datetime, policy: ProgramPolicy
) -> list[StatusHistoryEntry]:
    """Lift ended sanctions, complete a due termination, then run the status engine under ``policy``."""
    prune_ended_sanctions(partner, now)
    complete_termination(partner, now)
    return evaluate_status(partner, partner_status_facts(partner, courses, kyiv_date(now), policy), now, policy)


def review_copy(partner: Partner) -> Partner:
    """A copy ``review_partner`` may change without touching ``partner``.

    The review reassigns the status and the termination and changes only these containers
    (sanctions pruned, history and events appended), so copying them is enough; a deep copy
    costs ten times more over 10,000 partners (R-POL-01's simulation runs two per partner).
    """
    copied = copy(partner)  # a shallow copy: ``dataclasses.replace`` re-runs __init__ and costs three times more
    copied.sanctions = dict(partner.sanctions)
    copied.competencies = dict(partner.competencies)
    copied.history = list(partner.history)
    copied.events = list(partner.events)
    return copied
