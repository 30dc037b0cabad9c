"""Reconciliation of the running suite: what each service believes about a partner,
read through the services' gRPC APIs and compared, plus the plumbing between them
(outbox rows never published, events delivered but never applied, dead letters).

- differences: services disagree (status tier vs licensing's active status keys per
  R-NFR-01/12, the gateway's directory vs status and compliance, compliance's discount
  block vs status's entitlement answer, points' total vs status's count);
- lost: an effect that should exist does not (an unpublished outbox row, an event
  pending or unacknowledged at a consumer, a dead-lettered event);
- doubled: an effect twice (two status keys for one slot or one issue, a points ledger
  entry twice for one source).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import nats.js.errors
from nats.js import JetStreamContext
from year_support import Stubs, partner_keys

from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.events.v1 import envelope_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as gateway_pb
from partnerprogram.licensing.v1 import events_pb2 as licensing_events
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import entitlement_pb2, status_pb2
from partnerprogram.status.v1 import events_pb2 as status_events
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.events import Naming

# R-NFR-01: the status keys a partner holds at each status; none once terminated (R-NFR-12).
STATUS_SLOTS = {
    status_pb2.PARTNER_TIER_CERTIFIED: {"CERTIFIED_1", "CERTIFIED_2"},
    status_pb2.PARTNER_TIER_GOLD: {"CERTIFIED_1", "CERTIFIED_2", "GOLD_1", "GOLD_2"},
}
PRODUCERS = ("status", "points", "licensing", "compliance")


@dataclass
class Findings:
    differences: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)

    # Informational: envelopes the streams hold twice (a relay crashed between publishing
    # and marking the row); consumers skip the second by its id, so not an effect.
    republished: int = 0
    # How many events of each type the audit read (so a run shows it audited something).
    event_types: Counter[str] = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        return not (self.differences or self.lost or self.doubled)

    def counts(self) -> dict[str, int]:
        return {"differences": len(self.differences), "lost": len(self.lost), "doubled": len(self.doubled)}

    def merge(self, other: Findings) -> Findings:
        return Findings(
            self.differences + other.differences,
            self.lost + other.lost,
            self.doubled + other.doubled,
            self.republished + other.republished,
            self.event_types + other.event_types,
        )


async def directory(s: Stubs) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    token = ""
    while True:
        page = await s.gateway.ListDirectory(gateway_pb.ListDirectoryRequest(page_size=100, page_token=token))
        entries.update({e.partner_id: e for e in page.entries})
        token = page.next_page_token
        if not token:
            return entries


@dataclass
class PartnerView:
    """What each service says about one partner, as read through its API."""

    partner_id: str
    status: Any  # status: PartnerStatus
    entitlement: Any  # status: CheckDiscountEntitlementResponse (staff query)
    sanctions: list[Any]  # compliance: active sanctions
    grants: list[Any]  # licensing: every NFR grant, inactive ones included
    ledger: list[Any]  # points: ledger entries
    directory_entry: Any | None  # gateway: the directory entry, None when not listed
    carded: bool  # the partner has an approved public card
    points_total: float | None = None  # points: active total, when the totals have settled


def compare_partner(view: PartnerView) -> Findings:
    """The rules the services must agree on for one partner (pure: no I/O)."""
    found = Findings()
    pid, status, answer = view.partner_id, view.status, view.entitlement
    terminated = answer.reason == entitlement_pb2.ENTITLEMENT_REASON_TERMINATED
    kinds = Counter(x.kind for x in view.sanctions)
    found.doubled += [f"{pid}: {n} active sanctions of kind {kind}" for kind, n in kinds.items() if n > 1]

    grants = [g for g in view.grants if g.kind == nfr_pb2.GRANT_KIND_STATUS]
    active = Counter(g.entitlement for g in grants if g.state == nfr_pb2.GRANT_STATE_ACTIVE)
    expected = set() if terminated else STATUS_SLOTS.get(status.tier, set())
    if set(active) != expected:
        found.differences.append(
            f"{pid}: status {status_pb2.PartnerTier.Name(status.tier)}{' terminated' if terminated else ''} "
            f"but active status keys {sorted(active)} (expected {sorted(expected)})"
        )
    found.doubled += [f"{pid}: {n} active status keys in slot {slot}" for slot, n in active.items() if n > 1]
    issues = Counter((g.entitlement, g.issued_date) for g in grants)
    found.doubled += [
        f"{pid}: status key {slot} issued {n} times on {day}" for (slot, day), n in issues.items() if n > 1
    ]

    blocked = answer.reason == entitlement_pb2.ENTITLEMENT_REASON_DISCOUNT_BLOCKED
    if not terminated and blocked != (sanction_pb2.SANCTION_KIND_DISCOUNT_BLOCK in kinds):
        found.differences.append(f"{pid}: compliance discount block {not blocked} but status answers {answer.reason}")

    entry = view.directory_entry
    hidden = terminated or sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION in kinds
    if entry is not None and hidden:
        found.differences.append(f"{pid}: listed in the gateway's directory though excluded or terminated")
    elif view.carded and not hidden and entry is None:
        found.lost.append(f"{pid}: missing from the gateway's directory")
    elif entry is not None and entry.tier != status.tier:
        found.differences.append(f"{pid}: directory tier {entry.tier} but status {status.tier}")

    sources = Counter((e.kind, e.source_type, e.source_id) for e in view.ledger if not e.reverses_entry_id)
    found.doubled += [f"{pid}: ledger entry for {src} {n} times" for src, n in sources.items() if n > 1]
    if view.points_total is not None and int(view.points_total) != status.active_points:
        found.differences.append(
            f"{pid}: points counts {view.points_total} active points, status {status.active_points}"
        )
    return found


async def partner_view(
    s: Stubs, pid: str, listed: dict[str, Any], *, carded: bool, points_settled: bool
) -> PartnerView:
    status = await s.status.GetPartnerStatus(status_pb.GetPartnerStatusRequest(partner_id=pid), metadata=s.staff)
    answer = await s.status.CheckDiscountEntitlement(
        status_pb.CheckDiscountEntitlementRequest(partner_id=pid, product_family="SITE_MANAGEMENT"), metadata=s.staff
    )
    sanctions = await s.compliance.ListActiveSanctions(
        compliance_pb.ListActiveSanctionsRequest(partner_id=pid), metadata=s.staff
    )
    ledger = await s.points.ListLedgerEntries(
        points_pb.ListLedgerEntriesRequest(partner_id=pid, page_size=500), metadata=s.staff
    )
    total = None
    if points_settled:
        got = await s.points.GetActiveTotal(points_pb.GetActiveTotalRequest(partner_id=pid), metadata=s.staff)
        total = float(got.total_points)
    return PartnerView(
        pid,
        status.status,
        answer,
        list(sanctions.sanctions),
        await partner_keys(s, pid),
        list(ledger.entries),
        listed.get(pid),
        carded,
        total,
    )


async def reconcile_partners(
    s: Stubs, partner_ids: Iterable[str], *, carded: set[str], points_settled: bool = True
) -> Findings:
    """Compare the services' beliefs about each partner. ``carded``: partners with an
    approved public card (listed unless excluded or terminated); ``points_settled``: the
    latest 23:00 totals have counted every points change (so points and status agree)."""
    found = Findings()
    listed = await directory(s)
    for pid in partner_ids:
        view = await partner_view(s, pid, listed, carded=pid in carded, points_settled=points_settled)
        found = found.merge(compare_partner(view))
    return found


async def reconcile_plumbing(databases: dict[str, str], js: JetStreamContext, namespace: str) -> Findings:
    """Every outbox row published, every event at every durable consumer delivered and
    acknowledged (applied: the consumer acks after its commit), nothing dead-lettered."""
    found = Findings()
    for service, url in databases.items():
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            waiting = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        finally:
            await conn.close()
        if waiting:
            found.lost.append(f"{service}: {waiting} outbox rows never published")
    naming = Naming(namespace)
    for producer in PRODUCERS:
        stream = naming.stream_for(producer)
        for consumer in await js.consumers_info(stream):
            behind = (consumer.num_pending or 0) + (consumer.num_ack_pending or 0)
            if behind:
                found.lost.append(f"{consumer.name}: {behind} events not yet applied")
    try:
        dead = (await js.stream_info(naming.dlq_stream)).state.messages
    except nats.js.errors.NotFoundError:  # no DLQ stream: nothing was ever dead-lettered
        dead = 0
    if dead:
        found.lost.append(f"{dead} events dead-lettered")
    return found


async def stream_envelopes(js: JetStreamContext, stream: str) -> list[envelope_pb2.EventEnvelope]:
    """Every event a producer's stream holds, in stream order."""
    last = (await js.stream_info(stream)).state.last_seq
    out = []
    for seq in range(1, last + 1):
        try:
            raw = await js.get_msg(stream, seq)
        except nats.js.errors.NotFoundError:
            continue
        envelope = envelope_pb2.EventEnvelope()
        envelope.ParseFromString(raw.data or b"")
        out.append(envelope)
    return out


def _unpack(envelope: envelope_pb2.EventEnvelope, message: Any) -> Any:
    assert envelope.payload.Unpack(message)
    return message


async def reconcile_events(js: JetStreamContext, namespace: str) -> Findings:
    """:func:`audit_events` over every event the producers' streams hold."""
    naming = Naming(namespace)
    return audit_events([e for producer in PRODUCERS for e in await stream_envelopes(js, naming.stream_for(producer))])


def audit_events(envelopes: list[envelope_pb2.EventEnvelope]) -> Findings:
    """Effects counted in the events themselves (pure: no I/O): each daily totals run once
    per partner and date, each status key issued once per slot and date, each sanction
    lifted once, and each partner's status changes in order (every change starts where
    the last ended)."""
    found = Findings()
    ids = Counter(e.id for e in envelopes)
    found.republished = sum(n - 1 for n in ids.values())
    unique = {e.id: e for e in envelopes}.values()
    totals: Counter[tuple[str, str]] = Counter()
    issues: Counter[tuple[str, str, str]] = Counter()
    lifts: Counter[str] = Counter()
    last_tier: dict[str, int] = {}
    for envelope in unique:
        name = envelope.type.rpartition(".")[2]
        found.event_types[name] += 1
        if name == "ActiveTotalChanged":
            total = _unpack(envelope, points_events.ActiveTotalChanged())
            totals[(total.partner_id, total.business_date)] += 1
        elif name == "NfrKeyIssued":
            issued = _unpack(envelope, licensing_events.NfrKeyIssued())
            if issued.kind == nfr_pb2.GRANT_KIND_STATUS:
                issues[(issued.partner_id, issued.entitlement, issued.issue_time.ToJsonString()[:10])] += 1
        elif name == "SanctionLifted":
            lifts[_unpack(envelope, compliance_events.SanctionLifted()).sanction_id] += 1
        elif name == "StatusChanged":
            changed = _unpack(envelope, status_events.StatusChanged())
            before = last_tier.get(changed.partner_id, changed.from_tier)
            if changed.from_tier != before:
                found.differences.append(
                    f"{changed.partner_id}: status change from {changed.from_tier} after one to {before} (out of order)"
                )
            last_tier[changed.partner_id] = changed.to_tier
    found.doubled += [f"{p}: daily totals of {d} announced {n} times" for (p, d), n in totals.items() if n > 1]
    found.doubled += [f"{p}: status key {slot} issued {n} times on {d}" for (p, slot, d), n in issues.items() if n > 1]
    found.doubled += [f"sanction {sid} lifted {n} times" for sid, n in lifts.items() if n > 1]
    return found
