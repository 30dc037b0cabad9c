"""Protobuf answers turned into template data, shared by the console and the cabinet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message

from gateway_service.web.backends import Refusal
from gateway_service.web.presenters import enum_key
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import cabinet_pb2
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.status.v1 import employee_pb2, entitlement_pb2, partner_pb2, status_pb2
from ppcore.clock import KYIV


def when(message: Message, name: str) -> str:
    """A Timestamp field as Kyiv time to the minute ("2026-12-01 22:37"), or "" when unset."""
    if not message.HasField(name):
        return ""
    value: Any = getattr(message, name)
    instant: datetime = value.ToDatetime(tzinfo=UTC)
    return instant.astimezone(KYIV).strftime("%Y-%m-%d %H:%M")


def partner_view(cabinet: Any) -> dict[str, Any]:
    """The gateway's partner view as template data (shared with the partner cabinet)."""
    if isinstance(cabinet, Refusal):
        return {"refusal": cabinet}
    view = cabinet.cabinet
    status = view.status.status
    checklist = status.checklist

    def items(entries: Any) -> list[dict[str, Any]]:
        return [
            {
                "tier": enum_key(status_pb2.PartnerTier.Name(i.tier), "PARTNER_TIER_"),
                "condition": enum_key(status_pb2.Condition.Name(i.condition), "CONDITION_"),
                "required": i.required,
                "actual": i.actual,
                "met": i.met,
                "rule": i.rule,
                "detail": i.detail,
            }
            for i in entries
        ]

    def section_state(section: Any) -> str:
        return (
            ""
            if section.state.availability == cabinet_pb2.SECTION_AVAILABILITY_AVAILABLE
            else section.state.unavailable_reason or "недоступно"
        )

    return {
        "partial": view.partial,
        "status_unavailable": section_state(view.status),
        "tier": enum_key(status_pb2.PartnerTier.Name(status.tier), "PARTNER_TIER_"),
        "granted_date": status.granted_date,
        "valid_until_date": status.valid_until_date,
        "discount_percent": status.discount_percent,
        "certified_specialists": status.certified_specialists,
        "policy_version": status.policy_version,
        "next_tier": enum_key(status_pb2.PartnerTier.Name(checklist.next_tier), "PARTNER_TIER_"),
        "to_reach_next": items(checklist.to_reach_next),
        "to_keep_current": items(checklist.to_keep_current),
        "points_unavailable": section_state(view.points),
        "active_points": view.points.active_points,
        "expiring_points": view.points.expiring_points,
        "expiring_within_days": view.points.expiring_within_days,
        "expiring_by_date": [(e.expire_date, e.points) for e in view.points.expiring_by_date],
        "nfr_unavailable": section_state(view.nfr),
        "grants": [
            {
                "key": g.key,
                "edition": g.edition,
                "state": enum_key(nfr_pb2.GrantState.Name(g.state), "GRANT_STATE_"),
                "valid_until_date": g.valid_until_date,
            }
            for g in view.nfr.grants
        ],
        "cloud_nfr": view.nfr.cloud_nfr if view.nfr.HasField("cloud_nfr") else None,
        "sanctions_unavailable": section_state(view.sanctions),
        "sanctions": [
            {"s": s, "kind": enum_key(sanction_pb2.SanctionKind.Name(s.kind), "SANCTION_KIND_")}
            for s in view.sanctions.sanctions
        ],
        "card_unavailable": section_state(view.card),
        "card": view.card.card,
        "active_points_as_of_date": view.points.active_points_as_of_date,
        "expiring_in_30_days_points": view.points.expiring_in_30_days_points,
        "expiring_in_90_days_points": view.points.expiring_in_90_days_points,
        "point_requests_by_state": [(c.state, c.count) for c in view.points.point_requests_by_state],
        "partner_unavailable": section_state(view.partner),
        "partner": view.partner.partner,
        "contract_state": enum_key(
            partner_pb2.ContractState.Name(view.partner.partner.contract.state), "CONTRACT_STATE_"
        ),
        "letter_unavailable": section_state(view.authorization_letter),
        "letter": view.authorization_letter.letter if view.authorization_letter.HasField("letter") else None,
        "no_letter_reason": view.authorization_letter.no_letter_reason,
        "discount_unavailable": section_state(view.discount),
        "discount": {
            "allowed": view.discount.allowed,
            "percent": view.discount.discount_percent,
            "reason": enum_key(entitlement_pb2.EntitlementReason.Name(view.discount.reason), "ENTITLEMENT_REASON_"),
            "blocked_until_date": view.discount.blocked_until_date,
            "product_family": view.discount.product_family,
        },
        "projects_unavailable": section_state(view.projects),
        "projects_by_state": [(c.state, c.count) for c in view.projects.projects_by_state],
        "monitoring_unavailable": section_state(view.monitoring),
        "monitoring_by_state": [(c.state, c.count) for c in view.monitoring.submissions_by_state],
        "employees_unavailable": section_state(view.employees),
        "employees": [
            {
                "login": e.login,
                "role": enum_key(employee_pb2.Role.Name(e.role), "ROLE_"),
                "groups": [enum_key(employee_pb2.AccessGroup.Name(g), "ACCESS_GROUP_") for g in e.access_groups],
                "courses": list(e.course_codes),
            }
            for e in view.employees.employees
        ],
        "certified_count": view.employees.certified_count,
        "competencies_unavailable": section_state(view.competencies),
        "competencies": [
            {"code": c.code, "active": c.active, "automatic": c.automatic} for c in view.competencies.competencies
        ],
    }
