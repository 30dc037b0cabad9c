"""The partner aggregate's value parts to and from the JSON ``document`` of its row."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from ppcore.policy import Tier
from status_service.domain.card import CardContent, CardRevision, PartnerCard
from status_service.domain.competencies import HeldCompetency
from status_service.domain.contract import ContractApplication, ContractRequisites
from status_service.domain.enums import CardRevisionState, ContractState, SanctionKind, TerminationForm
from status_service.domain.sanctions import ActiveSanction
from status_service.domain.termination import Termination

Json = dict[str, Any]


def _dt(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _revision(revision: CardRevision | None) -> Json | None:
    if revision is None:
        return None
    return {
        "revision_id": revision.revision_id,
        "content": asdict(revision.content),
        "proposed_by": revision.proposed_by,
        "proposed_time": _dt(revision.proposed_time),
        "state": revision.state.value,
        "moderator_note": revision.moderator_note,
        "decided_time": _dt(revision.decided_time),
    }


def _parse_revision(data: Json | None) -> CardRevision | None:
    if data is None:
        return None
    proposed = _parse_dt(data["proposed_time"])
    assert proposed is not None
    return CardRevision(
        revision_id=data["revision_id"],
        content=CardContent(**data["content"]),
        proposed_by=data["proposed_by"],
        proposed_time=proposed,
        state=CardRevisionState(data["state"]),
        moderator_note=data["moderator_note"],
        decided_time=_parse_dt(data["decided_time"]),
    )


def card_to_json(card: PartnerCard) -> Json:
    return {
        "published": asdict(card.published) if card.published is not None else None,
        "published_revision_id": card.published_revision_id,
        "pending": _revision(card.pending),
    }


def card_from_json(data: Json) -> PartnerCard:
    published = data.get("published")
    return PartnerCard(
        published=CardContent(**published) if published is not None else None,
        published_revision_id=data.get("published_revision_id", ""),
        pending=_parse_revision(data.get("pending")),
    )


def contract_to_json(contract: ContractApplication | None) -> Json | None:
    if contract is None:
        return None
    return {
        "contract_id": contract.contract_id,
        "requisites": asdict(contract.requisites),
        "state": contract.state.value,
        "filed_time": _dt(contract.filed_time),
        "decided_time": _dt(contract.decided_time),
        "refusal_reason": contract.refusal_reason,
    }


def contract_from_json(data: Json | None) -> ContractApplication | None:
    if data is None:
        return None
    filed = _parse_dt(data["filed_time"])
    assert filed is not None
    return ContractApplication(
        contract_id=data["contract_id"],
        requisites=ContractRequisites(**data["requisites"]),
        state=ContractState(data["state"]),
        filed_time=filed,
        decided_time=_parse_dt(data["decided_time"]),
        refusal_reason=data["refusal_reason"],
    )


def termination_to_json(termination: Termination | None) -> Json | None:
    if termination is None:
        return None
    return {
        "form": termination.form.value,
        "notice_date": _d(termination.notice_date),
        "effective_date": _d(termination.effective_date),
        "reason": termination.reason,
        "decided_time": _dt(termination.decided_time),
        "violation_case_id": termination.violation_case_id,
        "sanction_id": termination.sanction_id,
        "completed": termination.completed,
    }


def termination_from_json(data: Json | None) -> Termination | None:
    if data is None:
        return None
    notice, effective, decided = (
        _parse_d(data["notice_date"]),
        _parse_d(data["effective_date"]),
        _parse_dt(data["decided_time"]),
    )
    assert notice is not None and effective is not None and decided is not None
    return Termination(
        form=TerminationForm(data["form"]),
        notice_date=notice,
        effective_date=effective,
        reason=data["reason"],
        decided_time=decided,
        violation_case_id=data["violation_case_id"],
        sanction_id=data["sanction_id"],
        completed=data["completed"],
    )


def sanction_to_json(sanction: ActiveSanction) -> Json:
    return {
        "sanction_id": sanction.sanction_id,
        "kind": sanction.kind.value,
        "start_date": _d(sanction.start_date),
        "end_date": _d(sanction.end_date),
        "target_tier": sanction.target_tier.value if sanction.target_tier else None,
        "competency_codes": sorted(sanction.competency_codes),
    }


def sanction_from_json(data: Json) -> ActiveSanction:
    start = _parse_d(data["start_date"])
    assert start is not None
    return ActiveSanction(
        sanction_id=data["sanction_id"],
        kind=SanctionKind(data["kind"]),
        start_date=start,
        end_date=_parse_d(data["end_date"]),
        target_tier=Tier(data["target_tier"]) if data["target_tier"] else None,
        competency_codes=frozenset(data["competency_codes"]),
    )


def competency_to_json(held: HeldCompetency) -> Json:
    return {"code": held.code, "granted_time": _dt(held.granted_time), "automatic": held.automatic}


def competency_from_json(data: Json) -> HeldCompetency:
    granted = _parse_dt(data["granted_time"])
    assert granted is not None
    return HeldCompetency(code=data["code"], granted_time=granted, automatic=data["automatic"])


def monitoring_to_json(completions: dict[str, date]) -> Json:
    return {project: day.isoformat() for project, day in completions.items()}


def monitoring_from_json(data: Json) -> dict[str, date]:
    return {project: date.fromisoformat(day) for project, day in data.items()}
