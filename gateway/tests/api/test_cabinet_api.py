"""GetPartnerCabinet over real gRPC: a parallel fan-out with a deadline to the four
backends, partial (never an error) when one is slow or down (R-CARD-04, R-EMP-03, R-SAN-07)."""

import time

import grpc
import pytest

from partnerprogram.compliance.v1 import events_pb2 as compliance_events
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import cabinet_pb2
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.status.v1 import status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from ppcore.auth import CallerKind, PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]

AVAILABLE = cabinet_pb2.SECTION_AVAILABILITY_AVAILABLE
UNAVAILABLE = cabinet_pb2.SECTION_AVAILABILITY_UNAVAILABLE


async def test_main_user_sees_the_whole_cabinet(gateway):
    """R-CARD-04: current status with the date obtained, active points, certified specialists,
    NFR keys and sanctions, every section available; the backends were asked as the gateway."""
    gateway.backends.status.partners.add("p-1")
    response = await gateway.stub.GetPartnerCabinet(
        pb.GetPartnerCabinetRequest(partner_id="p-1"), metadata=gateway.partner("p-1", PartnerRole.MAIN)
    )
    cabinet = response.cabinet
    assert not cabinet.partial and list(cabinet.missing_sections) == []
    assert cabinet.status.state.availability == AVAILABLE
    assert cabinet.status.status.tier == status_pb2.PARTNER_TIER_CERTIFIED
    assert cabinet.status.status.granted_date == "2025-09-01"
    assert cabinet.status.status.certified_specialists == 2
    assert cabinet.card.card.competency_codes == ["COMPOSITE_SITE"]
    assert cabinet.points.active_points == "142.5"
    assert cabinet.points.active_points_as_of_date == "2026-03-01"
    assert cabinet.status.status.active_points == 0  # one figure: the points section's (R-CARD-04)
    assert cabinet.points.expiring_points == "10"
    assert cabinet.points.expiring_within_days == 30
    assert cabinet.points.expiring_in_30_days_points == "10"
    assert cabinet.points.expiring_in_90_days_points == "40"
    assert [(c.state, c.count) for c in cabinet.points.point_requests_by_state] == [("POINT_REQUEST_STATE_PENDING", 1)]
    assert [(c.state, c.count) for c in cabinet.projects.projects_by_state] == [
        ("PROJECT_STATE_UNDER_REVIEW", 1),
        ("PROJECT_STATE_APPROVED", 2),
    ]
    assert cabinet.partner.partner.city == "Київ"
    assert cabinet.authorization_letter.letter.valid_from_date == "2025-09-05"
    assert cabinet.discount.allowed and cabinet.discount.discount_percent == 45
    assert cabinet.employees.certified_count == 1 and len(cabinet.employees.employees) == 2
    assert [c.code for c in cabinet.competencies.competencies] == ["COMPOSITE_SITE"]
    assert [lead.lead_id for lead in cabinet.leads.leads] == ["lead-1"]  # R-LEAD-01
    assert list(cabinet.forbidden_sections) == []
    assert [g.key for g in cabinet.nfr.grants] == ["KEY-1"]
    assert cabinet.nfr.cloud_nfr.plan == "COMPANY"
    assert [s.sanction_id for s in cabinet.sanctions.sanctions] == ["s-1"]
    backends = gateway.backends
    for fake in (backends.status, backends.points, backends.licensing, backends.compliance):
        assert fake.callers and all(c.kind is CallerKind.SYSTEM and c.subject for c in fake.callers)
        # ... for the partner's own user, named in x-on-behalf-of (R-PD-01: its own contacts unmasked)
        assert {(u.kind, u.partner_id) for u in fake.end_users if u} == {(CallerKind.PARTNER_USER, "p-1")}
        assert None not in fake.end_users
        assert set(fake.partner_ids) == {"p-1"}


async def test_full_rights_user_and_staff_see_it_too(gateway):
    gateway.backends.status.partners.add("p-1")
    for metadata in (gateway.partner("p-1", PartnerRole.FULL), gateway.staff()):
        response = await gateway.stub.GetPartnerCabinet(
            pb.GetPartnerCabinetRequest(partner_id="p-1"), metadata=metadata
        )
        assert response.cabinet.partner_id == "p-1"


async def test_slow_and_down_backends_give_a_partial_answer_within_the_deadline(gateway):
    """R-CARD-04: points hangs past the deadline and licensing is down: the answer still comes,
    in time, marked partial and naming both missing sections; the other sections are intact."""
    backends = gateway.backends
    backends.status.partners.add("p-1")
    backends.points.delay = 5.0
    await backends.take_down("licensing")
    started = time.monotonic()
    response = await gateway.stub.GetPartnerCabinet(
        pb.GetPartnerCabinetRequest(partner_id="p-1"), metadata=gateway.staff(), timeout=5
    )
    elapsed = time.monotonic() - started
    cabinet = response.cabinet
    assert elapsed < gateway.settings.cabinet_deadline_seconds + 0.5, elapsed
    assert cabinet.partial
    assert list(cabinet.missing_sections) == [
        cabinet_pb2.CABINET_SECTION_POINTS,
        cabinet_pb2.CABINET_SECTION_NFR,
        cabinet_pb2.CABINET_SECTION_PROJECTS,
        cabinet_pb2.CABINET_SECTION_MONITORING,
    ]
    assert cabinet.points.state.availability == UNAVAILABLE
    assert cabinet.points.state.unavailable_reason == "DEADLINE_EXCEEDED"
    assert cabinet.nfr.state.availability == UNAVAILABLE
    assert cabinet.nfr.state.unavailable_reason in {"UNAVAILABLE", "DEADLINE_EXCEEDED"}
    assert cabinet.points.active_points == "" and len(cabinet.nfr.grants) == 0
    assert cabinet.status.state.availability == AVAILABLE
    assert cabinet.status.status.granted_date == "2025-09-01"
    assert [s.sanction_id for s in cabinet.sanctions.sanctions] == ["s-1"]


async def test_status_down_leaves_the_other_sections(gateway):
    await gateway.backends.take_down("status")
    response = await gateway.stub.GetPartnerCabinet(
        pb.GetPartnerCabinetRequest(partner_id="p-1"), metadata=gateway.staff()
    )
    assert list(response.cabinet.missing_sections) == [
        cabinet_pb2.CABINET_SECTION_STATUS,
        cabinet_pb2.CABINET_SECTION_CARD,
        cabinet_pb2.CABINET_SECTION_PARTNER,
        cabinet_pb2.CABINET_SECTION_DISCOUNT,
        cabinet_pb2.CABINET_SECTION_EMPLOYEES,
        cabinet_pb2.CABINET_SECTION_COMPETENCIES,
        cabinet_pb2.CABINET_SECTION_AUTHORIZATION_LETTER,
        cabinet_pb2.CABINET_SECTION_LEADS,
    ]
    assert response.cabinet.points.active_points == "142.5"


async def test_partner_without_cloud_nfr_is_a_complete_answer(gateway):
    gateway.backends.status.partners.add("p-1")
    gateway.backends.licensing.with_cloud = False
    response = await gateway.stub.GetPartnerCabinet(
        pb.GetPartnerCabinetRequest(partner_id="p-1"), metadata=gateway.staff()
    )
    assert not response.cabinet.partial
    assert not response.cabinet.nfr.HasField("cloud_nfr")
    assert len(response.cabinet.nfr.grants) == 1


async def test_unknown_partner_is_not_found(gateway):
    await gateway.refused(
        gateway.stub.GetPartnerCabinet(pb.GetPartnerCabinetRequest(partner_id="ghost"), metadata=gateway.staff()),
        grpc.StatusCode.NOT_FOUND,
        "PARTNER_NOT_FOUND",
    )


async def test_partner_user_may_not_open_another_partners_cabinet(gateway):
    gateway.backends.status.partners.update({"p-1", "p-2"})
    await gateway.refused(
        gateway.stub.GetPartnerCabinet(pb.GetPartnerCabinetRequest(partner_id="p-2"), metadata=gateway.partner("p-1")),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    assert gateway.backends.status.callers == []  # refused before any fan-out


async def test_limited_employee_gets_the_view_with_buy_and_cabinet_sections_forbidden(gateway):
    """R-EMP-03: a limited employee sees partner sections except "Buy" and "Partner cabinet":
    those are marked forbidden with the reason and are never read; the view is no error."""
    gateway.backends.status.partners.add("p-1")
    response = await gateway.stub.GetPartnerCabinet(
        pb.GetPartnerCabinetRequest(partner_id="p-1"), metadata=gateway.partner("p-1", PartnerRole.LIMITED)
    )
    cabinet = response.cabinet
    forbidden = [
        cabinet_pb2.CABINET_SECTION_POINTS,
        cabinet_pb2.CABINET_SECTION_NFR,
        cabinet_pb2.CABINET_SECTION_DISCOUNT,
        cabinet_pb2.CABINET_SECTION_AUTHORIZATION_LETTER,
        cabinet_pb2.CABINET_SECTION_LEADS,
    ]
    assert list(cabinet.forbidden_sections) == forbidden
    assert (cabinet.leads.state.unavailable_reason, cabinet.leads.state.rule) == ("NOT_IN_LEADS_GROUP", "R-EMP-05")
    assert not cabinet.partial and list(cabinet.missing_sections) == []
    for section in (cabinet.points, cabinet.nfr, cabinet.discount, cabinet.authorization_letter, cabinet.leads):
        assert section.state.availability == cabinet_pb2.SECTION_AVAILABILITY_FORBIDDEN
        assert section.state.rule in {"R-EMP-03", "R-EMP-05"}
    assert cabinet.points.active_points == "" and len(cabinet.nfr.grants) == 0 and not cabinet.discount.allowed
    assert cabinet.status.state.availability == AVAILABLE and cabinet.projects.state.availability == AVAILABLE
    assert len(cabinet.employees.employees) == 2
    # One call per backend, asking only for what the employee may see: no figures, no discount.
    [points_asked] = gateway.backends.points.requests
    assert set(points_asked.parts) == {
        points_pb.POINTS_SNAPSHOT_PART_PROJECTS,
        points_pb.POINTS_SNAPSHOT_PART_MONITORING,
    }
    [status_asked] = gateway.backends.status.requests
    assert not {
        status_pb.SNAPSHOT_PART_DISCOUNT,
        status_pb.SNAPSHOT_PART_AUTHORIZATION_LETTER,
        status_pb.SNAPSHOT_PART_LEADS,
    } & set(status_asked.parts)
    assert gateway.backends.licensing.callers == []
    assert gateway.backends.status.entitlement_requests == []


async def test_certified_specialist_has_no_view(gateway):
    """R-EMP-04: a certified specialist gets no rights."""
    gateway.backends.status.partners.add("p-1")
    await gateway.refused(
        gateway.stub.GetPartnerCabinet(
            pb.GetPartnerCabinetRequest(partner_id="p-1"),
            metadata=gateway.partner("p-1", PartnerRole.CERTIFIED_SPECIALIST),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )


async def test_bad_input_is_invalid_argument(gateway):
    await gateway.refused(
        gateway.stub.GetPartnerCabinet(pb.GetPartnerCabinetRequest(partner_id=""), metadata=gateway.staff()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
    )


async def test_cabinet_block_keeps_the_partner_users_out_while_it_holds(gateway):
    """R-SAN-07: a cabinet block from compliance shuts the partner's users out until it ends; staff still see it."""
    gateway.backends.status.partners.add("p-1")
    await gateway.emit(
        "compliance",
        compliance_events.SanctionApplied(
            partner_id="p-1",
            sanction_id="block-1",
            kind=sanction_pb2.SANCTION_KIND_CABINET_BLOCK,
            start_date="2026-03-01",
            end_date="2026-04-01",
        ),
        "p-1",
    )
    request = pb.GetPartnerCabinetRequest(partner_id="p-1")
    await gateway.refused(
        gateway.stub.GetPartnerCabinet(request, metadata=gateway.partner("p-1")),
        grpc.StatusCode.PERMISSION_DENIED,
        "CABINET_BLOCKED",
    )
    assert (await gateway.stub.GetPartnerCabinet(request, metadata=gateway.staff())).cabinet.partner_id == "p-1"
    gateway.clock.set(gateway.clock.now().replace(month=4, day=2))
    response = await gateway.stub.GetPartnerCabinet(request, metadata=gateway.partner("p-1"))
    assert response.cabinet.partner_id == "p-1"
