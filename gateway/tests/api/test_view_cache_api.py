"""The partner view answered from the gateway's cache and dropped by the backends' events
(R-CARD-04), keyed by program date and by what the viewer may see (R-PD-01): the real
gateway, real NATS, fake backends that count their calls."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.licensing.v1 import events_pb2 as licensing_events
from partnerprogram.points.v1 import events_pb2 as points_events
from partnerprogram.status.v1 import events_pb2 as status_events
from ppcore.auth import PartnerRole
from ppcore.events import make_envelope

BACKENDS = ("status", "points", "licensing", "compliance")
WAIT_SECONDS = 10.0


async def announce(gateway, backend: str, event, partner_id: str = "") -> None:
    """``backend``'s event on its subject as the gateway's own subscription sees it (a JetStream
    publish reaches plain subscribers of the subject alike; licensing has no stream here)."""
    envelope = make_envelope(event, source=backend, time=gateway.clock.now(), partner_id=partner_id)
    await gateway.bus.nc.publish(gateway.naming.subject_for(envelope.type), envelope.SerializeToString())


def calls(gateway) -> dict[str, int]:
    return {name: len(getattr(gateway.backends, name).requests) for name in BACKENDS}


async def view(gateway, metadata, partner_id: str = "p-1"):
    reply = await gateway.stub.GetPartnerCabinet(pb.GetPartnerCabinetRequest(partner_id=partner_id), metadata=metadata)
    assert not reply.cabinet.partial
    return reply.cabinet


async def until_backend_asked(gateway, metadata, backend: str, partner_id: str = "p-1") -> dict[str, int]:
    """View until ``backend`` is asked again (its event reached the gateway); the calls made."""
    before = calls(gateway)
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while calls(gateway)[backend] == before[backend]:
        assert asyncio.get_running_loop().time() < deadline, f"{backend} was never asked again"
        await view(gateway, metadata, partner_id)
    after = calls(gateway)
    return {name: after[name] - before[name] for name in BACKENDS}


async def until_cached(gateway, metadata, partner_id: str = "p-1") -> None:
    """The cache goes live once the gateway subscribed: view until a view makes no call."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        before = calls(gateway)
        await view(gateway, metadata, partner_id)
        if calls(gateway) == before:
            return
        assert asyncio.get_running_loop().time() < deadline, "the view was never answered from the cache"


async def test_a_repeated_view_asks_no_backend_until_one_of_them_announces_a_change(gateway):
    gateway.backends.status.partners.add("p-1")
    staff = gateway.staff()
    await until_cached(gateway, staff)
    # One event per backend, each naming the partner: only that backend is asked again.
    for backend, event in (
        ("status", status_events.PartnerDataChanged(partner_id="p-1")),
        ("points", points_events.PartnerDataChanged(partner_id="p-1")),
        ("licensing", licensing_events.PartnerDataChanged(partner_id="p-1")),
        ("compliance", compliance_events.SanctionLifted(partner_id="p-1", sanction_id="s-1")),
    ):
        await announce(gateway, backend, event, "p-1")
        asked = await until_backend_asked(gateway, staff, backend)
        assert asked[backend] == 1
        assert sum(asked.values()) == 1, asked
    await until_cached(gateway, staff)


async def test_an_event_of_another_partner_keeps_the_answer_and_one_without_partner_drops_the_backend(
    gateway,
):
    gateway.backends.status.partners.update({"p-1", "p-2"})
    staff = gateway.staff()
    await until_cached(gateway, staff)
    await view(gateway, staff, "p-2")
    await announce(gateway, "points", points_events.PartnerDataChanged(partner_id="p-2"), "p-2")
    await until_backend_asked(gateway, staff, "points", "p-2")
    before = calls(gateway)
    await view(gateway, staff, "p-1")
    assert calls(gateway) == before  # p-1's answers stayed
    await announce(gateway, "points", points_events.DailyTotalsCompleted(business_date="2026-03-01"))
    await until_backend_asked(gateway, staff, "points", "p-1")


async def test_the_view_is_recomputed_when_the_program_date_moves(gateway, clock):
    """Expiring points, active sanctions and valid-until move with the date: no answer of
    yesterday is served today."""
    gateway.backends.status.partners.add("p-1")
    staff = gateway.staff()
    await until_cached(gateway, staff)
    clock.advance(timedelta(days=1))
    before = calls(gateway)
    await view(gateway, staff)
    assert {name: calls(gateway)[name] - before[name] for name in BACKENDS} == dict.fromkeys(BACKENDS, 1)


async def test_the_partners_own_login_and_staff_never_share_an_answer(gateway):
    """R-PD-01: the backends show the partner's own login its contacts whole and staff
    outside the personal-data group a mask: each is asked for on the viewer's behalf."""
    gateway.backends.status.partners.add("p-1")
    staff = gateway.staff()
    main = gateway.partner("p-1", PartnerRole.MAIN)
    await until_cached(gateway, staff)
    before = len(gateway.backends.status.end_users)
    await view(gateway, main)
    assert len(gateway.backends.status.end_users) == before + 1
    asked_for = gateway.backends.status.end_users[-1]
    assert asked_for is not None and asked_for.partner_id == "p-1"
    await until_cached(gateway, main)
    # And staff are still answered from their own entry, asked for as staff.
    await view(gateway, staff)
    assert len(gateway.backends.status.end_users) == before + 1
