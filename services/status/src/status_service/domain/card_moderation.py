"""Card changes through staff moderation, and the public-list answer (R-CARD-01/02, R-EMP-02/03)."""

from __future__ import annotations

from datetime import date, datetime

from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, PermissionDenied
from status_service.domain.card import CardContent, CardRevision, PublicListEligibility, public_list_eligibility
from status_service.domain.cities import canonical_city
from status_service.domain.employees import Actor, role_permissions
from status_service.domain.enums import Permission
from status_service.domain.events import CardPublished
from status_service.domain.leads import partner_city
from status_service.domain.partner import Partner


def _require_card_editor(partner: Partner, actor: Actor, today: date) -> None:
    if actor.is_staff:
        return
    employee = partner.roster.get(actor.login)
    if employee is None or Permission.EDIT_CARD not in role_permissions(employee.role, employee.access_groups):
        raise PermissionDenied(
            reason="CARD_EDIT_NOT_ALLOWED",
            message=f"actor {actor.login or '<anonymous>'} may not edit the card of partner {partner.partner_id}: "
            "only the main user and full-rights employees may (R-EMP-02, R-EMP-03)",
            rule="R-EMP-03",
        )
    if partner.restrictions(today).cabinet_blocked:
        raise FailedPrecondition(
            reason="CABINET_BLOCKED",
            message=f"the cabinet of partner {partner.partner_id} is blocked by a sanction (R-SAN-07)",
            rule="R-SAN-07",
        )


def propose_card_change(
    partner: Partner, actor: Actor, revision_id: str, content: CardContent, now: datetime
) -> CardRevision:
    """The change waits for moderation; the published card stays as it was (R-CARD-02)."""
    today = kyiv_date(now)
    partner.require_active(today)
    _require_card_editor(partner, actor, today)
    return partner.card.propose(revision_id, content, actor.login, now)


def card_eligibility(partner: Partner, today: date) -> PublicListEligibility:
    return public_list_eligibility(
        partner.card.published,
        terminated=partner.is_terminated(today),
        excluded_by_sanction=partner.restrictions(today).excluded_from_public_list,
    )


def approve_card_change(partner: Partner, revision_id: str, now: datetime, note: str = "") -> CardRevision:
    """Staff approve: this version becomes the published card (R-CARD-02)."""
    revision = partner.card.approve(revision_id, now, note)
    eligibility = card_eligibility(partner, kyiv_date(now))
    partner.record(
        CardPublished(
            partner_id=partner.partner_id,
            occurred_time=now,
            revision_id=revision_id,
            content=revision.content,
            public_list_eligible=eligibility.eligible,
            missing_items=eligibility.missing,
            city_key=canonical_city(partner_city(partner)),
        )
    )
    return revision


def reject_card_change(partner: Partner, revision_id: str, note: str, now: datetime) -> CardRevision:
    return partner.card.reject(revision_id, note, now)
