"""Domain events to the protobuf payloads of ``partnerprogram.compliance.v1`` events."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from google.protobuf.message import Message

from compliance_service.adapters.proto_codec import (
    LIFT_REASON,
    MYSTERY_SHOPPER_KIND,
    SANCTION_KIND,
    VIOLATION_TYPE,
    enum_to_proto,
    iso,
    parameters_to_proto,
    timestamp,
)
from compliance_service.domain import events
from partnerprogram.compliance.v1 import events_pb2 as pb


def _sanction_fields(event: events.SanctionApplied | events.SanctionLifted) -> dict[str, Any]:
    """What SanctionApplied and SanctionLifted both say about the sanction."""
    return {
        "partner_id": event.partner_id,
        "sanction_id": event.sanction_id,
        "kind": enum_to_proto(SANCTION_KIND, event.kind),
        "start_date": iso(event.start_date),
        "end_date": iso(event.end_date),
        "case_id": event.case_id,
        "parameters": parameters_to_proto(event.parameters),
    }


@singledispatch
def encode(event: events.DomainEvent) -> Message:
    raise TypeError(f"no encoding for {type(event).__name__}")


@encode.register
def _(event: events.CaseConfirmed) -> Message:
    return pb.CaseConfirmed(
        partner_id=event.partner_id,
        case_id=event.case_id,
        violation_type=enum_to_proto(VIOLATION_TYPE, event.violation_type),
        mystery_shopper_kind=enum_to_proto(MYSTERY_SHOPPER_KIND, event.mystery_shopper_kind),
        violation_date=iso(event.violation_date),
        reason=event.reason,
        confirmed_time=timestamp(event.confirmed_time),
    )


@encode.register
def _(event: events.CaseDismissed) -> Message:
    return pb.CaseDismissed(
        partner_id=event.partner_id,
        case_id=event.case_id,
        violation_type=enum_to_proto(VIOLATION_TYPE, event.violation_type),
        reason=event.reason,
        dismissed_time=timestamp(event.dismissed_time),
    )


@encode.register
def _(event: events.DumpingIncidentOpened) -> Message:
    return pb.DumpingIncidentOpened(
        partner_id=event.partner_id,
        case_id=event.case_id,
        order_id=event.order_id,
        edition_code=event.edition_code,
        observed_price_uah=str(event.observed_price_uah),
        list_price_uah=str(event.list_price_uah),
        opened_time=timestamp(event.opened_time),
    )


@encode.register
def _(event: events.SanctionApplied) -> Message:
    return pb.SanctionApplied(
        **_sanction_fields(event),
        violation_type=enum_to_proto(VIOLATION_TYPE, event.violation_type),
        applied_time=timestamp(event.applied_time),
    )


@encode.register
def _(event: events.SanctionLifted) -> Message:
    return pb.SanctionLifted(
        **_sanction_fields(event),
        lift_reason=enum_to_proto(LIFT_REASON, event.lift_reason),
        lifted_time=timestamp(event.lifted_time),
        kind_still_in_force=event.kind_still_in_force,
    )


@encode.register
def _(event: events.PersonalDataErasureRequested) -> Message:
    return pb.PersonalDataErasureRequested(
        partner_id=event.partner_id,
        personal_data_request_id=event.pd_request_id,
        subject_login=event.subject_login,
        subject_email=event.subject_email,
        subject_phone=event.subject_phone,
        requested_time=timestamp(event.requested_time),
    )
