"""Domain objects to and from the licensing protobuf messages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from licensing_service.domain import (
    CloudNfr,
    CommercialKey,
    EditionChangeRequest,
    HistoryEntry,
    KeyKind,
    KeyRequestState,
    KeyVerdict,
    NfrGrant,
    OnRequestKeyRequest,
    RevocationCause,
    SiteChecklist,
    SiteTopic,
    VerifyReason,
)
from partnerprogram.licensing.v1 import license_key_pb2 as key_pb
from partnerprogram.licensing.v1 import nfr_pb2 as nfr_pb
from ppcore.errors import InvalidArgument
from ppcore.paging import encode_token, page_window
from ppcore.policy import Edition
from ppcore.timestamps import optional_timestamp


def _cause(cause: RevocationCause | None) -> nfr_pb.RevocationCause.ValueType:
    if cause is None:
        return nfr_pb.REVOCATION_CAUSE_UNSPECIFIED
    return nfr_pb.RevocationCause.Value(f"REVOCATION_CAUSE_{cause}")


timestamp = optional_timestamp


def iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def parse_date(text: str, field: str) -> date | None:
    """An ISO date, or None when empty; anything else is invalid input naming ``field``."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, f"{text!r} is not an ISO date (YYYY-MM-DD)") from exc


def page(page_size: int, page_token: str) -> tuple[int, int]:
    return page_window(page_size, page_token)


def next_token(offset: int, limit: int, returned: int, total: int | None = None) -> str:
    end = offset + returned
    if returned < limit or (total is not None and end >= total):
        return ""
    return encode_token(end)


def edition_to_proto(edition: Edition) -> key_pb.Edition:
    return key_pb.Edition(
        code=edition.code,
        name=edition.name,
        family=edition.family,
        price_uah=str(edition.price_uah),
        points_value=edition.points_value,
        sites_allowed=edition.sites_allowed,
        rank=edition.rank,
    )


def commercial_key_to_proto(key: CommercialKey) -> key_pb.LicenseKey:
    return key_pb.LicenseKey(
        key=key.key.value,
        edition=key.edition,
        owner_client_id=key.owner_client_id,
        activated=key.activated,
        demo=key.demo,
        valid_until_date=iso(key.valid_until),
    )


# VerifyKey's hot path: enum numbers by dictionary look-up, not by name per call.
_VERIFY_REASONS = {reason: key_pb.VerifyReason.Value(f"VERIFY_REASON_{reason}") for reason in VerifyReason}
_KEY_KINDS = {kind: key_pb.KeyKind.Value(f"KEY_KIND_{kind}") for kind in KeyKind}


def verdict_to_proto(verdict: KeyVerdict) -> key_pb.KeyVerdict:
    facts = verdict.facts
    if facts is None:
        return key_pb.KeyVerdict(valid=verdict.valid, reason=_VERIFY_REASONS[verdict.reason])  # type: ignore[arg-type]
    return key_pb.KeyVerdict(
        valid=verdict.valid,
        reason=_VERIFY_REASONS[verdict.reason],  # type: ignore[arg-type]
        key=facts.key.value,
        kind=_KEY_KINDS[facts.kind],  # type: ignore[arg-type]
        owner_id=facts.owner_id,
        edition=facts.edition,
        valid_until_date=iso(facts.valid_until),
        activated=facts.activated,
        demo=facts.demo,
    )


def history_to_proto(entry: HistoryEntry) -> nfr_pb.HistoryEntry:
    return nfr_pb.HistoryEntry(
        change_time=timestamp(entry.at),
        action=nfr_pb.HistoryAction.Value(f"HISTORY_ACTION_{entry.action}"),
        reason=entry.reason,
        rule=entry.rule,
        policy_version=entry.policy_version,
        key=entry.key,
        detail=entry.detail,
        valid_until_date=iso(entry.valid_until),
    )


def grant_to_proto(grant: NfrGrant, *, with_history: bool = False) -> nfr_pb.NfrGrant:
    return nfr_pb.NfrGrant(
        grant_id=grant.grant_id,
        partner_id=grant.partner_id,
        kind=nfr_pb.GrantKind.Value(f"GRANT_KIND_{grant.kind}"),
        entitlement=grant.entitlement,
        edition=grant.edition,
        key=grant.key.value,
        state=nfr_pb.GrantState.Value(f"GRANT_STATE_{grant.state}"),
        revocation_cause=_cause(grant.revocation_cause),
        issued_date=iso(grant.issued_on),
        valid_until_date=iso(grant.valid_until),
        edition_changed=grant.edition_changed,
        site_url=grant.site_url,
        usage_restriction=nfr_pb.UsageRestriction.Value(f"USAGE_RESTRICTION_{grant.usage_restriction}"),
        retired_keys=[key.value for key in grant.retired_keys],
        history=[history_to_proto(entry) for entry in grant.history] if with_history else [],
        site_checked_date=iso(grant.site_checked_on),
        site_requirements_hold=bool(grant.site_requirements_hold),
    )


def cloud_to_proto(cloud: CloudNfr) -> nfr_pb.CloudNfr:
    return nfr_pb.CloudNfr(
        cloud_nfr_id=cloud.cloud_nfr_id,
        partner_id=cloud.partner_id,
        portal_domain=cloud.portal_domain,
        plan=cloud.plan,
        disk_gb=cloud.disk_gb,
        custom_domain_allowed=cloud.custom_domain_allowed,
        state=nfr_pb.CloudNfrState.Value(f"CLOUD_NFR_STATE_{cloud.state}"),
        revocation_cause=_cause(cloud.revocation_cause),
        issued_date=iso(cloud.issued_on),
        valid_until_date=iso(cloud.valid_until),
        history=[history_to_proto(entry) for entry in cloud.history],
    )


def change_request_to_proto(request: EditionChangeRequest) -> nfr_pb.EditionChangeRequest:
    return nfr_pb.EditionChangeRequest(
        change_request_id=request.change_request_id,
        partner_id=request.partner_id,
        grant_id=request.grant_id,
        from_edition=request.from_edition,
        to_edition=request.to_edition,
        state=nfr_pb.EditionChangeRequestState.Value(f"EDITION_CHANGE_REQUEST_STATE_{request.state}"),
        request_time=timestamp(request.requested_at),
        decide_time=timestamp(request.decided_at),
        decision_note=request.decision_note,
    )


def checklist_from_proto(message: nfr_pb.SiteChecklist) -> SiteChecklist:
    return SiteChecklist(
        company_description=message.company_description,
        services_list=message.services_list,
        partner_statement_in_words=message.partner_statement_in_words,
        product_description_all_editions=message.product_description_all_editions,
        bitrix24_logo=message.bitrix24_logo,
        powered_by_link_on_every_page=message.powered_by_link_on_every_page,
    )


def site_topic_from_proto(value: int) -> SiteTopic:
    if value == nfr_pb.SITE_TOPIC_UNSPECIFIED:
        raise InvalidArgument.for_field("site_topic", "is required (R-NFR-04)", rule="R-NFR-04")
    name = nfr_pb.SiteTopic.Name(value).removeprefix("SITE_TOPIC_")  # type: ignore[arg-type]
    return SiteTopic(name)


def checklist_to_proto(checklist: SiteChecklist) -> nfr_pb.SiteChecklist:
    return nfr_pb.SiteChecklist(**asdict(checklist))


def key_request_to_proto(request: OnRequestKeyRequest) -> nfr_pb.OnRequestKeyRequest:
    return nfr_pb.OnRequestKeyRequest(
        key_request_id=request.key_request_id,
        partner_id=request.partner_id,
        site_url=request.site_url,
        edition=request.edition,
        site_on_product=request.site_on_product,
        checklist=checklist_to_proto(request.checklist),
        original_design=request.original_design,
        site_topic=nfr_pb.SiteTopic.Value(f"SITE_TOPIC_{request.site_topic}"),
        request_time=timestamp(request.requested_at),
        state=nfr_pb.OnRequestKeyRequestState.Value(f"ON_REQUEST_KEY_REQUEST_STATE_{request.state}"),
        decision_time=timestamp(request.decided_at),
        decided_by=request.decided_by,
        decision_note=request.decision_note,
        grant_id=request.grant_id,
    )


def key_request_state_from_proto(value: int) -> KeyRequestState | None:
    if value == nfr_pb.ON_REQUEST_KEY_REQUEST_STATE_UNSPECIFIED:
        return None
    name = nfr_pb.OnRequestKeyRequestState.Name(value)  # type: ignore[arg-type]
    return KeyRequestState(name.removeprefix("ON_REQUEST_KEY_REQUEST_STATE_"))
