"""Domain events to their protobuf messages (partnerprogram.licensing.v1 events)."""

from __future__ import annotations

from google.protobuf.message import Message

from licensing_service.domain import (
    CloudNfrIssued,
    CloudNfrPlanChanged,
    CloudNfrRenewed,
    CloudNfrRevoked,
    LicensingEvent,
    NfrKeyEditionChanged,
    NfrKeyIssued,
    NfrKeyLapsed,
    NfrKeyRenewed,
    NfrKeyRevoked,
)
from partnerprogram.licensing.v1 import events_pb2 as ev
from partnerprogram.licensing.v1 import nfr_pb2
from ppcore.timestamps import timestamp


def to_proto(event: LicensingEvent) -> Message:
    common = {"partner_id": event.partner_id, "policy_version": event.policy_version}
    match event:
        case NfrKeyIssued():
            return ev.NfrKeyIssued(
                **common,
                grant_id=event.grant_id,
                kind=nfr_pb2.GrantKind.Value(f"GRANT_KIND_{event.grant_kind}"),
                entitlement=event.entitlement,
                key=event.key,
                edition=event.edition,
                valid_until_date=event.valid_until.isoformat(),
                restored=event.restored,
                usage_restriction=nfr_pb2.UsageRestriction.Value(f"USAGE_RESTRICTION_{event.usage_restriction}"),
                issue_time=timestamp(event.occurred_at),
            )
        case NfrKeyRevoked():
            return ev.NfrKeyRevoked(
                **common,
                grant_id=event.grant_id,
                key=event.key,
                edition=event.edition,
                cause=nfr_pb2.RevocationCause.Value(f"REVOCATION_CAUSE_{event.cause}"),
                reason=event.reason,
                rule=event.rule,
                revoke_time=timestamp(event.occurred_at),
            )
        case NfrKeyRenewed():
            return ev.NfrKeyRenewed(
                **common,
                grant_id=event.grant_id,
                key=event.key,
                edition=event.edition,
                previous_valid_until_date=event.previous_valid_until.isoformat(),
                valid_until_date=event.valid_until.isoformat(),
                reason=event.reason,
                renew_time=timestamp(event.occurred_at),
            )
        case NfrKeyLapsed():
            return ev.NfrKeyLapsed(
                **common,
                grant_id=event.grant_id,
                key=event.key,
                edition=event.edition,
                valid_until_date=event.valid_until.isoformat(),
                reason=event.reason,
                lapse_time=timestamp(event.occurred_at),
            )
        case NfrKeyEditionChanged():
            return ev.NfrKeyEditionChanged(
                **common,
                grant_id=event.grant_id,
                key=event.key,
                from_edition=event.from_edition,
                to_edition=event.to_edition,
                change_request_id=event.change_request_id,
                change_time=timestamp(event.occurred_at),
            )
        case CloudNfrIssued():
            return ev.CloudNfrIssued(
                **common,
                cloud_nfr_id=event.cloud_nfr_id,
                portal_domain=event.portal_domain,
                plan=event.plan,
                disk_gb=event.disk_gb,
                custom_domain_allowed=event.custom_domain_allowed,
                valid_until_date=event.valid_until.isoformat(),
                restored=event.restored,
                issue_time=timestamp(event.occurred_at),
            )
        case CloudNfrRenewed():
            return ev.CloudNfrRenewed(
                **common,
                cloud_nfr_id=event.cloud_nfr_id,
                portal_domain=event.portal_domain,
                previous_valid_until_date=event.previous_valid_until.isoformat(),
                valid_until_date=event.valid_until.isoformat(),
                reason=event.reason,
                renew_time=timestamp(event.occurred_at),
            )
        case CloudNfrPlanChanged():
            return ev.CloudNfrPlanChanged(
                **common,
                cloud_nfr_id=event.cloud_nfr_id,
                portal_domain=event.portal_domain,
                from_plan=event.from_plan,
                to_plan=event.to_plan,
                reason=event.reason,
                change_time=timestamp(event.occurred_at),
            )
        case CloudNfrRevoked():
            return ev.CloudNfrRevoked(
                **common,
                cloud_nfr_id=event.cloud_nfr_id,
                portal_domain=event.portal_domain,
                cause=nfr_pb2.RevocationCause.Value(f"REVOCATION_CAUSE_{event.cause}"),
                reason=event.reason,
                rule=event.rule,
                revoke_time=timestamp(event.occurred_at),
            )
    raise TypeError(f"no message for {type(event).__name__}")
