"""The reconciliation's rules without I/O: each kind of disagreement, loss and doubling
it must report, and a consistent partner it must pass."""

from __future__ import annotations

from typing import Any

from google.protobuf.any_pb2 import Any as AnyPb
from reconcile import PartnerView, audit_events, compare_partner

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.events.v1 import envelope_pb2
from partnerprogram.gateway.v1 import directory_pb2
from partnerprogram.licensing.v1 import events_pb2 as licensing_events
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.points.v1 import ledger_pb2
from partnerprogram.status.v1 import entitlement_pb2, status_pb2
from partnerprogram.status.v1 import events_pb2 as status_events
from partnerprogram.status.v1 import status_service_pb2 as status_pb

CERTIFIED = status_pb2.PARTNER_TIER_CERTIFIED
ACTIVE, REVOKED = nfr_pb2.GRANT_STATE_ACTIVE, nfr_pb2.GRANT_STATE_REVOKED


def grant(slot: str, state: int = ACTIVE, issued: str = "2027-01-11") -> nfr_pb2.NfrGrant:
    return nfr_pb2.NfrGrant(kind=nfr_pb2.GRANT_KIND_STATUS, entitlement=slot, state=state, issued_date=issued)


def view(**changes: Any) -> PartnerView:
    """A Certified partner every service agrees on: 2 status keys, listed, 100 points."""
    base: dict[str, Any] = {
        "partner_id": "p1",
        "status": status_pb2.PartnerStatus(partner_id="p1", tier=CERTIFIED, active_points=100),
        "entitlement": status_pb.CheckDiscountEntitlementResponse(
            allowed=True, reason=entitlement_pb2.ENTITLEMENT_REASON_ENTITLED
        ),
        "sanctions": [],
        "grants": [grant("CERTIFIED_1"), grant("CERTIFIED_2")],
        "ledger": [ledger_pb2.LedgerEntry(source_type=1, source_id="project-1", points="100")],
        "directory_entry": directory_pb2.DirectoryEntry(partner_id="p1", tier=CERTIFIED),
        "carded": True,
        "points_total": 100.0,
    }
    return PartnerView(**{**base, **changes})


def test_a_partner_every_service_agrees_on_passes():
    assert compare_partner(view()).clean


def test_a_missing_status_key_is_a_difference_and_a_second_one_in_a_slot_doubled():
    assert compare_partner(view(grants=[grant("CERTIFIED_1")])).differences
    doubled = compare_partner(view(grants=[grant("CERTIFIED_1"), grant("CERTIFIED_2"), grant("CERTIFIED_2")]))
    assert len(doubled.doubled) == 2 and not doubled.differences  # twice active, twice issued that day


def test_a_terminated_partner_holds_no_status_key():
    answer = status_pb.CheckDiscountEntitlementResponse(reason=entitlement_pb2.ENTITLEMENT_REASON_TERMINATED)
    still = compare_partner(view(entitlement=answer, directory_entry=None))
    assert still.differences and not still.lost
    revoked = [grant("CERTIFIED_1", REVOKED), grant("CERTIFIED_2", REVOKED)]
    assert compare_partner(view(entitlement=answer, directory_entry=None, grants=revoked)).clean


def test_a_discount_block_status_does_not_know_of_is_a_difference():
    block = sanction_pb2.Sanction(kind=sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK)
    assert compare_partner(view(sanctions=[block])).differences
    twice = compare_partner(
        view(
            sanctions=[block, block],
            entitlement=status_pb.CheckDiscountEntitlementResponse(
                reason=entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED
            ),
        )
    )
    assert twice.doubled and not twice.differences


def test_the_directory_must_hide_an_excluded_partner_list_a_carded_one_and_show_its_tier():
    exclusion = sanction_pb2.Sanction(kind=sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION)
    assert compare_partner(view(sanctions=[exclusion])).differences
    assert compare_partner(view(sanctions=[exclusion], directory_entry=None)).clean
    assert compare_partner(view(directory_entry=None)).lost
    stale = directory_pb2.DirectoryEntry(partner_id="p1", tier=status_pb2.PARTNER_TIER_BUSINESS)
    assert compare_partner(view(directory_entry=stale)).differences


def test_a_ledger_entry_twice_is_doubled_and_points_status_disagreeing_a_difference():
    entry = ledger_pb2.LedgerEntry(source_type=1, source_id="project-1", points="100")
    assert compare_partner(view(ledger=[entry, entry])).doubled
    assert compare_partner(view(points_total=140.0)).differences
    assert compare_partner(view(points_total=None, status=status_pb2.PartnerStatus(tier=CERTIFIED))).clean


def envelope(event_id: str, payload: Any) -> envelope_pb2.EventEnvelope:
    packed = AnyPb()
    packed.Pack(payload)
    return envelope_pb2.EventEnvelope(id=event_id, type=payload.DESCRIPTOR.full_name, payload=packed)


def test_the_event_audit_counts_doubled_runs_and_lifts_and_broken_order():
    total = points_events.ActiveTotalChanged(partner_id="p1", business_date="2027-01-11")
    issued = licensing_events.NfrKeyIssued(partner_id="p1", kind=nfr_pb2.GRANT_KIND_STATUS, entitlement="CERTIFIED_1")
    lifted = compliance_events.SanctionLifted(partner_id="p1", sanction_id="s1")
    up = status_events.StatusChanged(partner_id="p1", from_tier=status_pb2.PARTNER_TIER_BUSINESS, to_tier=CERTIFIED)
    clean = audit_events([envelope("a", total), envelope("b", issued), envelope("c", lifted), envelope("d", up)])
    assert clean.clean and clean.event_types["StatusChanged"] == 1
    republished = audit_events([envelope("a", total), envelope("a", total)])
    assert republished.clean and republished.republished == 1  # one event held twice: no effect twice
    doubled = audit_events(
        [envelope(n, e) for n, e in (("a", total), ("a2", total), ("b", issued), ("b2", issued), ("c", lifted))]
        + [envelope("c2", lifted)]
    )
    assert len(doubled.doubled) == 3
    again = status_events.StatusChanged(partner_id="p1", from_tier=status_pb2.PARTNER_TIER_BUSINESS, to_tier=CERTIFIED)
    assert audit_events([envelope("d", up), envelope("e", again)]).differences  # Business -> Certified twice
