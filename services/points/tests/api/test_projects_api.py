"""Projects over real gRPC (R-PRJ-01..08), with PostgreSQL, NATS and a fake key registry."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from partnerprogram.points.v1 import events_pb2 as ev
from partnerprogram.points.v1 import points_service_pb2 as pb
from partnerprogram.points.v1 import project_pb2
from ppcore.auth import PartnerRole

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


def submit(partner: str, site: str, key: str = "KEY-STANDARD-1", rid: str = "", **kw) -> pb.SubmitProjectRequest:
    return pb.SubmitProjectRequest(
        request_id=rid or f"submit-{partner}-{site}-{key}", partner_id=partner, site_url=site, license_key=key, **kw
    )


async def test_project_submitted_approved_accrues_points_and_announces_it(points):
    """R-PRJ-01: under review, approved by staff, points accrued and ProjectApproved published; retry is one effect."""
    await points.approve_partners("p-1")
    submitted = await points.stub.SubmitProject(
        submit("p-1", "https://www.Example.com/"), metadata=points.partner("p-1")
    )
    project = submitted.project
    assert project.state == project_pb2.PROJECT_STATE_UNDER_REVIEW
    assert project.site_key == "example.com"
    assert project.review_due_date == "2026-03-16"
    assert points.keys.calls and points.keys.calls[0]["authorization"].startswith("Bearer ")

    approve = pb.ApproveProjectRequest(request_id="approve-1", project_id=project.project_id, decided_by="staff:anna")
    first = await points.stub.ApproveProject(approve, metadata=points.staff())
    again = await points.stub.ApproveProject(approve, metadata=points.staff())
    assert first == again
    assert first.project.state == project_pb2.PROJECT_STATE_APPROVED
    assert first.entries[0].points == "10.00"
    assert await points.scalar("SELECT count(*) FROM ledger_entries") == 1

    approved = await points.tap.wait_for(ev.ProjectApproved)
    assert approved[0].points == "10.00" and approved[0].decided_by == "staff:anna"
    accrued = await points.tap.wait_for(ev.PointsAccrued)
    assert accrued[0].entry.source_id == project.project_id

    total = await points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id="p-1"), metadata=points.partner("p-1"))
    assert total.total_points == "10.00"

    edited = await points.stub.UpdateProject(
        pb.UpdateProjectRequest(request_id="edit-1", project_id=project.project_id, publish_on_site=False),
        metadata=points.partner("p-1"),
    )
    assert edited.project.publish_on_site is False and edited.project.points == "10.00"  # R-PRJ-01/02
    await points.refused(
        points.stub.ApproveProject(
            pb.ApproveProjectRequest(request_id="approve-2", project_id=project.project_id), metadata=points.staff()
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "PROJECT_NOT_UNDER_REVIEW",
    )


async def test_submission_refusals_name_the_rule_and_write_nothing(points):
    """R-PRJ-04/05/06: bad keys, duplicate sites and key overuse are INVALID_ARGUMENT at submission."""
    await points.approve_partners("p-1", "p-2")
    await points.stub.SubmitProject(submit("p-1", "http://shop.example.com"), metadata=points.partner("p-1"))
    before = await points.counts()
    refusals = [
        (submit("p-1", "a.example.org", key=""), "PROJECT_KEY_MISSING"),
        (submit("p-1", "a.example.org", key="KEY-UNKNOWN"), "PROJECT_KEY_NOT_FOUND"),
        (submit("p-1", "a.example.org", key="KEY-DEMO"), "PROJECT_KEY_DEMO"),
        (submit("p-1", "a.example.org", key="KEY-INACTIVE"), "PROJECT_KEY_NOT_ACTIVATED"),
        (submit("p-1", "a.example.org", key="KEY-NFR"), "PROJECT_KEY_NOT_REGISTERED_TO_CLIENT"),
        (submit("p-1", "HTTPS://WWW.shop.example.com/", key="KEY-STANDARD-2"), "PROJECT_DUPLICATE_SITE"),
        (submit("p-1", "other.example.org", key="KEY-STANDARD-1"), "PROJECT_KEY_SITE_LIMIT"),
        (submit("p-1", "b.example.org", key="KEY-STANDARD-2", joint_partner_id="p-9"), "PROJECT_JOINT_PARTNER_UNKNOWN"),
    ]
    for request, reason in refusals:
        error = await points.refused(
            points.stub.SubmitProject(request, metadata=points.partner(request.partner_id)),
            grpc.StatusCode.INVALID_ARGUMENT,
            reason,
        )
        assert "R-PRJ-0" in error.details()
    await points.refused(
        points.stub.SubmitProject(submit("p-404", "c.example.org"), metadata=points.staff()),
        grpc.StatusCode.NOT_FOUND,
        "PARTNER_NOT_FOUND",
    )
    await points.refused(
        points.stub.SubmitProject(submit("p-2", "d.example.org"), metadata=points.partner("p-1")),
        grpc.StatusCode.PERMISSION_DENIED,
        "OTHER_PARTNER",
    )
    await points.refused(
        points.stub.SubmitProject(
            submit("p-1", "e.example.org", rid="submit-p-1-http://shop.example.com-KEY-STANDARD-1"),
            metadata=points.partner("p-1"),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "REQUEST_ID_REUSED",
    )
    await points.refused(
        points.stub.SubmitProject(submit("p-1", "f.example.org"), metadata=points.partner("p-1", PartnerRole.LIMITED)),
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )
    assert await points.counts() == before


async def test_rejected_project_is_corrected_resubmitted_and_approved(points):
    """R-PRJ-01: a rejection needs a note; a rejected project frees its site and is resubmitted once corrected."""
    await points.approve_partners("p-1")
    project = (
        await points.stub.SubmitProject(submit("p-1", "site.example.com"), metadata=points.partner("p-1"))
    ).project
    await points.refused(
        points.stub.RejectProject(
            pb.RejectProjectRequest(request_id="rej-0", project_id=project.project_id), metadata=points.staff()
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PROJECT_NOTE_MISSING",
    )
    rejected = await points.stub.RejectProject(
        pb.RejectProjectRequest(request_id="rej-1", project_id=project.project_id, moderator_note="no client license"),
        metadata=points.staff(),
    )
    assert rejected.project.state == project_pb2.PROJECT_STATE_REJECTED
    await points.tap.wait_for(ev.ProjectRejected)
    points.clock.advance(timedelta(days=3))
    again = await points.stub.ResubmitProject(
        pb.ResubmitProjectRequest(
            request_id="resub-1",
            project_id=project.project_id,
            site_url="site.example.com",
            license_key="KEY-STANDARD-2",
        ),
        metadata=points.partner("p-1"),
    )
    assert again.project.state == project_pb2.PROJECT_STATE_UNDER_REVIEW
    assert again.project.submission_count == 2
    approved = await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="ok-1", project_id=project.project_id), metadata=points.staff()
    )
    assert approved.entries[0].points == "10.00"


async def test_joint_project_earns_nothing_until_both_sides_declare_then_each_gets_half(points):
    """R-PRJ-08: "Бали нараховуються тільки при умові, що поле «Спільна розробка» заповнене у обох
    партнерів": p-1's one-sided declaration is approved with nothing for anyone; when p-2 declares p-1
    and is approved, each holds half of the key edition's 40 points and nothing was reversed."""  # noqa: RUF002
    await points.approve_partners("p-1", "p-2")
    mine = (
        await points.stub.SubmitProject(
            submit("p-1", "both.example.com", key="KEY-BUSINESS-1", joint_partner_id="p-2"),
            metadata=points.partner("p-1"),
        )
    ).project
    first = await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="j-1", project_id=mine.project_id), metadata=points.staff()
    )
    assert first.entries[0].points == "0.00" and "until p-2 declares it too" in first.entries[0].note
    theirs = (
        await points.stub.SubmitProject(
            submit("p-2", "both.example.com", key="KEY-BUSINESS-1", joint_partner_id="p-1"),
            metadata=points.partner("p-2"),
        )
    ).project
    assert theirs.dispute_id == ""
    second = await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="j-2", project_id=theirs.project_id), metadata=points.staff()
    )
    assert [(e.partner_id, e.points) for e in second.entries] == [("p-2", "20.00"), ("p-1", "20.00")]
    for partner in ("p-1", "p-2"):
        total = await points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id=partner), metadata=points.staff())
        assert total.total_points == "20.00"
    assert await points.scalar("SELECT count(*) FROM ledger_entries WHERE amount < 0") == 0


async def test_two_partners_claiming_one_site_go_to_a_dispute_that_staff_decide(points):
    """R-PRJ-05/R-PRJ-08: "У разі виникнення суперечок, пріоритет в отриманні балів отримує Партнер, який
    уклав договір з Клієнтом": p-2's claim to p-1's site is not refused first come first served; it
    opens a dispute, p-1's points stay until staff decide, and the decision (recorded with the deciding
    staff member) moves them to the contract holder."""  # noqa: RUF002
    await points.approve_partners("p-1", "p-2")
    first = (
        await points.stub.SubmitProject(submit("p-1", "client.example.com"), metadata=points.partner("p-1"))
    ).project
    await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="d-a1", project_id=first.project_id), metadata=points.staff()
    )
    rival = (
        await points.stub.SubmitProject(
            submit("p-2", "https://www.client.example.com/", key="KEY-STANDARD-2"), metadata=points.partner("p-2")
        )
    ).project
    assert rival.dispute_id and rival.state == project_pb2.PROJECT_STATE_UNDER_REVIEW
    held = await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="d-a2", project_id=rival.project_id), metadata=points.staff()
    )
    assert held.entries[0].points == "0.00" and "dispute" in held.entries[0].note
    p1 = await points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id="p-1"), metadata=points.staff())
    assert p1.total_points == "10.00"  # a partner's own claim never takes another's points

    listed = await points.stub.ListProjectDisputes(
        pb.ListProjectDisputesRequest(state=project_pb2.PROJECT_DISPUTE_STATE_OPEN), metadata=points.staff()
    )
    assert [d.dispute_id for d in listed.disputes] == [rival.dispute_id]
    assert {c.partner_id for c in listed.disputes[0].claims} == {"p-1", "p-2"}
    await points.refused(
        points.stub.ListProjectDisputes(pb.ListProjectDisputesRequest(), metadata=points.partner("p-1")),
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )
    await points.refused(
        points.stub.DecideProjectDispute(
            pb.DecideProjectDisputeRequest(
                request_id="dd-0", dispute_id=rival.dispute_id, contract_holder_partner_id="p-2"
            ),
            metadata=points.staff(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PROJECT_DISPUTE_EVIDENCE_MISSING",
    )
    points.clock.advance(timedelta(days=1))
    decided = await points.stub.DecideProjectDispute(
        pb.DecideProjectDisputeRequest(
            request_id="dd-1",
            dispute_id=rival.dispute_id,
            contract_holder_partner_id="p-2",
            evidence="development contract No. 17 with the client",
        ),
        metadata=points.staff(),
    )
    assert decided.dispute.state == project_pb2.PROJECT_DISPUTE_STATE_DECIDED
    assert decided.dispute.decided_by == "staff:moderator" and decided.dispute.contract_holder_partner_id == "p-2"
    assert sorted((e.partner_id, e.points) for e in decided.entries) == [("p-1", "-10.00"), ("p-2", "10.00")]
    assert all(e.decided_by == "staff:moderator" for e in decided.entries)
    for partner, expected in (("p-1", "0.00"), ("p-2", "10.00")):
        total = await points.stub.GetActiveTotal(pb.GetActiveTotalRequest(partner_id=partner), metadata=points.staff())
        assert total.total_points == expected
    await points.refused(
        points.stub.DecideProjectDispute(
            pb.DecideProjectDisputeRequest(
                request_id="dd-2", dispute_id=rival.dispute_id, contract_holder_partner_id="p-1", evidence="again"
            ),
            metadata=points.staff(),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "PROJECT_DISPUTE_DECIDED",
    )


async def test_staff_declared_aliases_are_stored_and_refuse_the_same_project_again(points):
    """R-PRJ-05: "Забороняється додавати дзеркала, аліаси одного й того ж проекту": staff declare an
    alias once, it is kept, and a project on it is the same project (here: the same partner again).
    The mobile mirror m. is the same site without any declaration."""
    await points.approve_partners("p-1")
    await points.stub.SubmitProject(submit("p-1", "shop.example.com"), metadata=points.partner("p-1"))
    await points.refused(
        points.stub.SubmitProject(
            submit("p-1", "m.shop.example.com", key="KEY-STANDARD-2"), metadata=points.partner("p-1")
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PROJECT_DUPLICATE_SITE",
    )
    declared = await points.stub.DeclareSiteAlias(
        pb.DeclareSiteAliasRequest(
            request_id="alias-1", alias_url="https://shop-example.com.ua", site_url="shop.example.com", note="same CMS"
        ),
        metadata=points.staff(),
    )
    assert (declared.alias.alias_key, declared.alias.site_key) == ("shop-example.com.ua", "shop.example.com")
    assert declared.alias.declared_by == "staff:moderator"
    await points.refused(
        points.stub.DeclareSiteAlias(
            pb.DeclareSiteAliasRequest(request_id="alias-2", alias_url="shop-example.com.ua", site_url="other.com"),
            metadata=points.staff(),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "SITE_ALIAS_EXISTS",
    )
    listed = await points.stub.ListSiteAliases(pb.ListSiteAliasesRequest(), metadata=points.staff())
    assert [a.alias_key for a in listed.aliases] == ["shop-example.com.ua"]
    await points.refused(
        points.stub.SubmitProject(
            submit("p-1", "https://shop-example.com.ua", key="KEY-STANDARD-2"), metadata=points.partner("p-1")
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PROJECT_DUPLICATE_SITE",
    )


async def test_a_language_version_is_added_as_its_own_project_and_uses_a_site_of_the_key(points):
    """R-PRJ-07: "Виняток становлять багатомовні версії одного проекту": the partner adds the English
    version of its project as a project of its own; it counts against the key's site limit (R-PRJ-06)."""
    await points.approve_partners("p-1")
    original = (
        await points.stub.SubmitProject(
            submit("p-1", "corp.example.com", key="KEY-BUSINESS-1"), metadata=points.partner("p-1")
        )
    ).project
    english = (
        await points.stub.SubmitProject(
            submit(
                "p-1", "corp.example.com/en", key="KEY-BUSINESS-1", language_version_of_project_id=original.project_id
            ),
            metadata=points.partner("p-1"),
        )
    ).project
    assert english.language_version_of_project_id == original.project_id
    await points.refused(
        points.stub.SubmitProject(
            submit(
                "p-1", "corp.example.com/de", key="KEY-BUSINESS-1", language_version_of_project_id=original.project_id
            ),
            metadata=points.partner("p-1"),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PROJECT_KEY_SITE_LIMIT",
    )


async def test_overdue_reviews_are_listed_after_ten_business_days(points):
    """R-PRJ-01: a review past its deadline shows in the overdue list."""
    await points.approve_partners("p-1")
    await points.stub.SubmitProject(submit("p-1", "late.example.com"), metadata=points.partner("p-1"))
    listed = await points.stub.ListOverdueProjects(pb.ListOverdueProjectsRequest(), metadata=points.staff())
    assert not listed.projects
    points.clock.advance(timedelta(days=15))
    listed = await points.stub.ListOverdueProjects(pb.ListOverdueProjectsRequest(), metadata=points.staff())
    assert [p.site_key for p in listed.projects] == ["late.example.com"]


async def test_project_points_follow_the_key_edition_and_a_key_of_the_partner_itself_is_refused(points):
    """R-PRJ-04: a published project earns its key edition's points value (Business: 40, not a flat 10);
    a key "зареєстрований на клієнта" is required, so one registered to the submitting partner itself is
    refused at submission, while an owner's missing details are left to the moderator."""
    await points.approve_partners("p-1")
    await points.refused(
        points.stub.SubmitProject(submit("p-1", "own.example.com", key="KEY-OWN"), metadata=points.partner("p-1")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PROJECT_KEY_REGISTERED_TO_PARTNER",
    )
    no_owner = await points.stub.SubmitProject(
        submit("p-1", "noowner.example.com", key="KEY-NO-OWNER"), metadata=points.partner("p-1")
    )
    assert no_owner.project.state == project_pb2.PROJECT_STATE_UNDER_REVIEW
    business = (
        await points.stub.SubmitProject(
            submit("p-1", "corp.example.com", key="KEY-BUSINESS-1"), metadata=points.partner("p-1")
        )
    ).project
    approved = await points.stub.ApproveProject(
        pb.ApproveProjectRequest(request_id="approve-biz", project_id=business.project_id), metadata=points.staff()
    )
    assert approved.project.edition_code == "SM_BUSINESS" and approved.entries[0].points == "40.00"
