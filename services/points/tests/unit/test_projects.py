from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from points_service.domain.events import ProjectApproved, ProjectRejected
from points_service.domain.keys import KeyFacts
from points_service.domain.projects import (
    Project,
    ProjectDraft,
    ProjectState,
    overdue_projects,
    submit_project,
)
from points_service.domain.sanctions import RefusePointsSanction
from points_service.domain.sites import SiteAliases
from ppcore.clock import KYIV
from ppcore.errors import FailedPrecondition, InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


NOW = kyiv(2025, 9, 1)  # a Monday
GOOD_KEY = KeyFacts("KEY-1", found=True, is_activated=True, registered_to_client=True, edition_code="SM_STANDARD")
NO_ALIASES = SiteAliases()


def draft(**changes) -> ProjectDraft:
    base = ProjectDraft(partner_id="p1", site_url="https://shop.com", license_key="KEY-1", title="Shop")
    return replace(base, **changes)


def submit(
    policy,
    d: ProjectDraft | None = None,
    *,
    project_id="prj-1",
    key=GOOD_KEY,
    existing=(),
    aliases=NO_ALIASES,
    original=None,
):
    return submit_project(
        d or draft(),
        project_id=project_id,
        key_facts=key,
        existing=existing,
        aliases=aliases,
        policy=policy,
        now=NOW,
        original=original,
    ).project


def test_submitted_project_is_under_review_with_a_ten_business_day_deadline(policy):
    """R-PRJ-01: a new project is under review; the deadline is 10 business days (policy) from submission."""
    project = submit(policy)
    assert project.state is ProjectState.UNDER_REVIEW
    assert project.review_due_date == date(2025, 9, 15)
    assert project.site_key == "shop.com"


def test_overdue_list_shows_projects_still_under_review_after_the_deadline(policy):
    """R-PRJ-01: staff see projects whose review deadline has passed."""
    project = submit(policy)
    assert overdue_projects([project], date(2025, 9, 15)) == []
    assert overdue_projects([project], date(2025, 9, 16)) == [project]
    project.reject(at=kyiv(2025, 9, 20), decided_by="staff", note="no screenshots")
    assert overdue_projects([project], date(2025, 9, 30)) == []


@pytest.mark.parametrize(
    ("license_key", "facts", "reason"),
    [
        ("", None, "PROJECT_KEY_MISSING"),
        ("KEY-1", KeyFacts.unknown("KEY-1"), "PROJECT_KEY_NOT_FOUND"),
        ("KEY-1", replace(GOOD_KEY, is_demo=True), "PROJECT_KEY_DEMO"),
        ("KEY-1", replace(GOOD_KEY, is_activated=False), "PROJECT_KEY_NOT_ACTIVATED"),
        ("KEY-1", replace(GOOD_KEY, registered_to_client=False), "PROJECT_KEY_NOT_REGISTERED_TO_CLIENT"),
    ],
)
def test_bad_license_key_is_refused_at_submission(policy, license_key, facts, reason):
    """R-PRJ-04: a missing, unknown, demo, inactive or not-client-registered key is invalid input."""
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, draft(license_key=license_key), key=facts)
    assert (exc.value.reason, exc.value.rule) == (reason, "R-PRJ-04")
    assert exc.value.violations[0].field == "project.license_key"


def test_declared_edition_must_match_the_keys_edition(policy):
    """R-PRJ-04: the key is the basis for points, so its edition wins over a different declared one."""
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, draft(edition_code="SM_ENTERPRISE"))
    assert exc.value.reason == "PROJECT_EDITION_MISMATCH"


@pytest.mark.parametrize("same_site", ["http://www.SHOP.com/", "shop.com", "https://shop.com//", "m.shop.com"])
def test_same_site_added_again_by_the_same_partner_is_refused(policy, same_site):
    """R-PRJ-05: a partner adds a project once, however the address is written (www. and the mobile
    mirror m. included: "Забороняється додавати дзеркала, аліаси одного й того ж проекту")."""
    first = submit(policy)
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, draft(site_url=same_site), project_id="prj-2", existing=[first])
    assert (exc.value.reason, exc.value.rule) == ("PROJECT_DUPLICATE_SITE", "R-PRJ-05")


def test_a_known_mirror_or_declared_alias_of_an_added_site_is_refused(policy):
    """R-PRJ-05: mirrors and aliases of an added project are the same project."""
    first = submit(policy, draft(mirror_urls=("shop.com.ua",)))
    with pytest.raises(InvalidArgument):
        submit(policy, draft(site_url="https://shop.com.ua"), project_id="prj-2", existing=[first])
    aliases = SiteAliases.from_urls([("shop-alias.net", "shop.com")])
    with pytest.raises(InvalidArgument):
        submit(policy, draft(site_url="shop-alias.net"), project_id="prj-3", existing=[first], aliases=aliases)
    # Declared the other way round (the added site is the alias), it is still the same site.
    backwards = SiteAliases.from_urls([("shop.com", "shop-main.net")])
    with pytest.raises(InvalidArgument):
        submit(policy, draft(site_url="shop-main.net"), project_id="prj-4", existing=[first], aliases=backwards)


def test_rejected_project_can_be_resubmitted_and_frees_its_site(policy):
    """R-PRJ-01/R-PRJ-05: a rejected project goes back under review when corrected; its site is not a duplicate."""
    project = submit(policy)
    project.reject(at=kyiv(2025, 9, 3), decided_by="staff", note="content is lorem ipsum")
    assert isinstance(project.events[-1], ProjectRejected)
    project.resubmit(
        draft(title="Shop (real content)"),
        key_facts=GOOD_KEY,
        existing=[project],
        aliases=NO_ALIASES,
        policy=policy,
        now=kyiv(2025, 9, 10),
    )
    assert project.state is ProjectState.UNDER_REVIEW
    assert project.submission_count == 2
    assert project.review_due_date == date(2025, 9, 24)
    # A fresh submission of the same site would also be accepted while the old one stayed rejected.
    project.reject(at=kyiv(2025, 9, 11), decided_by="staff", note="still lorem ipsum")
    other = submit(policy, project_id="prj-9", existing=[project])
    assert other.state is ProjectState.UNDER_REVIEW


def test_resubmission_needs_a_rejected_project(policy):
    """R-PRJ-01: only a rejected project is resubmitted."""
    project = submit(policy)
    with pytest.raises(FailedPrecondition):
        project.resubmit(draft(), key_facts=GOOD_KEY, existing=[], aliases=NO_ALIASES, policy=policy, now=NOW)


def test_more_sites_on_a_key_than_its_edition_allows_are_refused(policy):
    """R-PRJ-06: projects on one license key may not exceed the edition's sites (policy, multisite)."""
    business_key = replace(GOOD_KEY, edition_code="SM_BUSINESS")  # 2 sites allowed
    a = submit(policy, draft(site_url="a.com"), project_id="a", key=business_key)
    b = submit(policy, draft(site_url="b.com"), project_id="b", key=business_key, existing=[a])
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, draft(site_url="c.com"), project_id="c", key=business_key, existing=[a, b])
    assert (exc.value.reason, exc.value.rule) == ("PROJECT_KEY_SITE_LIMIT", "R-PRJ-06")
    b.reject(at=NOW, decided_by="staff", note="not finished")
    assert (
        submit(policy, draft(site_url="c.com"), project_id="c", key=business_key, existing=[a, b]).site_key == "c.com"
    )


def test_approval_accrues_the_policy_points_and_publishing_is_optional(policy):
    """R-PRJ-01/R-PRJ-02: approval accrues the project points, published on site or not."""
    project = submit(policy, draft(publish_on_site=False))
    approval = project.approve(entry_id="e1", at=kyiv(2025, 9, 5), decided_by="staff", policy=policy)
    assert project.state is ProjectState.APPROVED
    assert approval.entry.amount == Decimal(policy.points.main.project_published)
    assert approval.entry.policy_version == policy.version
    assert isinstance(project.events[-1], ProjectApproved)


def test_template_design_earns_no_points(policy):
    """R-PRJ-03: a project on a shipped or Marketplace template earns no points, with the reason."""
    project = submit(policy, draft(template_design=True))
    approval = project.approve(entry_id="e1", at=kyiv(2025, 9, 5), decided_by="staff", policy=policy)
    assert approval.entry.amount == Decimal("0.00")
    assert "R-PRJ-03" in approval.entry.note
    staff_found = submit(policy, draft(site_url="b.com"), project_id="b")
    assert staff_found.approve(
        entry_id="e2", at=kyiv(2025, 9, 5), decided_by="staff", policy=policy, template_design=True
    ).entry.amount == Decimal("0.00")


def test_editing_an_approved_project_never_recalculates_points(policy):
    """R-PRJ-01: editing changes the presentation only; no new ledger entry, points unchanged."""
    project = submit(policy)
    project.approve(entry_id="e1", at=kyiv(2025, 9, 5), decided_by="staff", policy=policy)
    events_before = list(project.events)
    project.edit(title="New title", description="Redesigned", publish_on_site=False)
    assert project.title == "New title"
    assert project.events == events_before
    assert project.ledger_entry_id == "e1"


def test_moderation_only_from_under_review_and_rejection_needs_a_note(policy):
    """R-PRJ-01: staff decide once; a rejection carries a moderator note."""
    project = submit(policy)
    with pytest.raises(InvalidArgument):
        project.reject(at=NOW, decided_by="staff", note="")
    project.approve(entry_id="e1", at=NOW, decided_by="staff", policy=policy)
    with pytest.raises(FailedPrecondition):
        project.approve(entry_id="e2", at=NOW, decided_by="staff", policy=policy)
    with pytest.raises(FailedPrecondition):
        project.reject(at=NOW, decided_by="staff", note="late")


def test_project_decided_under_sanction_accrues_zero_with_reason(policy):
    """R-PTS-07: a project is still decided under a refuse-points sanction, with zero points and the reason."""
    sanction = RefusePointsSanction(sanction_id="s1", partner_id="p1", starts_at=kyiv(2025, 1, 1))
    project = submit(policy)
    approval = project.approve(entry_id="e1", at=NOW, decided_by="staff", policy=policy, sanctions=[sanction])
    assert project.state is ProjectState.APPROVED
    assert approval.entry.amount == Decimal("0.00")
    assert "R-PTS-07" in approval.entry.withheld_reason


def test_project_identity_helpers(policy):
    """R-PRJ-01: a rejected project no longer holds its site."""
    project: Project = submit(policy)
    assert project.holds_its_site
    project.reject(at=NOW, decided_by="staff", note="x")
    assert not project.holds_its_site


def test_language_versions_are_one_project(policy):
    """R-PRJ-07: language versions declared with a project are the same project, not a new one."""
    first = submit(policy, draft(mirror_urls=("https://en.shop.com", "shop.com/uk")))
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, draft(site_url="en.shop.com"), project_id="prj-2", existing=[first])
    assert exc.value.reason == "PROJECT_DUPLICATE_SITE"


def test_a_key_visibly_registered_to_the_submitting_partner_is_refused_at_submission(policy):
    """R-PRJ-04: "Активаційний ключ повинен бити зареєстрований на клієнта" -- a key registered to the
    partner that submits the project is refused at submission; an owner the moderator must judge is not."""
    with pytest.raises(InvalidArgument) as exc:
        submit(policy, key=replace(GOOD_KEY, owner_id="p1"))
    assert (exc.value.reason, exc.value.rule) == ("PROJECT_KEY_REGISTERED_TO_PARTNER", "R-PRJ-04")
    # An empty or odd owner is for the moderator ("Інформація про власника ... повинна бути коректною").
    assert submit(policy, key=replace(GOOD_KEY, owner_id="")).state is ProjectState.UNDER_REVIEW
    assert submit(policy, key=replace(GOOD_KEY, owner_id="client-77")).state is ProjectState.UNDER_REVIEW


@pytest.mark.parametrize(("edition", "points"), [("SM_STANDARD", "10.00"), ("SM_BUSINESS", "40.00")])
def test_an_approved_project_earns_its_key_editions_points_value(policy, edition, points):
    """R-PRJ-04: the document gives no amount for a published project; by policy default it earns the
    key edition's points value, as monitoring pays "в розмірі «вартості в балах» ліцензії, на якій
    реалізований проект" (R-QM-04)."""
    project = submit(policy, key=replace(GOOD_KEY, edition_code=edition))
    approval = project.approve(entry_id="e1", at=kyiv(2025, 9, 2), decided_by="staff", policy=policy)
    assert approval.entry.amount == Decimal(points)
    flat = policy.model_copy(
        update={
            "points": policy.points.model_copy(
                update={"main": policy.points.main.model_copy(update={"project_points_basis": "FLAT"})}
            )
        }
    )
    project = submit(flat, key=replace(GOOD_KEY, edition_code="SM_BUSINESS"), project_id="prj-flat")
    entry = project.approve(entry_id="e2", at=kyiv(2025, 9, 2), decided_by="staff", policy=flat).entry
    assert entry.amount == Decimal(policy.points.main.project_published)


def test_staff_declared_alias_is_checked_and_a_known_alias_cannot_be_declared_twice():
    """R-PRJ-05: "Забороняється додавати дзеркала, аліаси одного й того ж проекту": staff declare which
    addresses serve one site; declaring what is already the same site is refused."""
    from points_service.domain.sites import declare_alias

    alias = declare_alias("https://www.shop-alias.net/", "shop.com", known=SiteAliases(), declared_by="staff:o", at=NOW)
    assert (alias.alias_key, alias.site_key, alias.declared_by) == ("shop-alias.net", "shop.com", "staff:o")
    known = SiteAliases({alias.alias_key: alias.site_key})
    for again in (("shop-alias.net", "shop.com"), ("shop.com", "shop-alias.net"), ("shop-alias.net", "other.com")):
        with pytest.raises(InvalidArgument) as exc:
            declare_alias(*again, known=known, declared_by="staff:o", at=NOW)
        assert exc.value.reason == "SITE_ALIAS_EXISTS"


def test_a_language_version_may_be_added_and_counts_against_the_keys_site_limit(policy):
    """R-PRJ-07: "Виняток становлять багатомовні версії одного проекту" -- a language version of the
    partner's own project is a project of its own at its own address, and uses a site of the key
    (R-PRJ-06)."""
    business = replace(GOOD_KEY, edition_code="SM_BUSINESS")  # 2 sites per key
    first = submit(policy, key=business)
    english = submit(
        policy,
        draft(site_url="https://shop.com/en", language_version_of="prj-1"),
        project_id="prj-en",
        key=business,
        existing=[first],
        original=first,
    )
    assert english.language_version_of == "prj-1" and english.state is ProjectState.UNDER_REVIEW
    with pytest.raises(InvalidArgument) as exc:  # a third site on a two-site key
        submit(
            policy,
            draft(site_url="https://shop.com/de", language_version_of="prj-1"),
            project_id="prj-de",
            key=business,
            existing=[first, english],
            original=first,
        )
    assert exc.value.reason == "PROJECT_KEY_SITE_LIMIT"
    with pytest.raises(InvalidArgument) as exc:  # one site per SM_STANDARD key: the version counts
        submit(
            policy,
            draft(site_url="https://shop.com/en", language_version_of="prj-1"),
            project_id="prj-en2",
            existing=[first],
            original=first,
        )
    assert exc.value.reason == "PROJECT_KEY_SITE_LIMIT"
    for bad_original, bad_site, reason in (
        (None, "https://shop.com/en", "PROJECT_LANGUAGE_VERSION_OF_UNKNOWN"),
        (replace(first, partner_id="p9"), "https://shop.com/en", "PROJECT_LANGUAGE_VERSION_OF_UNKNOWN"),
        (first, "https://www.shop.com", "PROJECT_LANGUAGE_VERSION_SAME_SITE"),
    ):
        with pytest.raises(InvalidArgument) as exc:
            submit(
                policy,
                draft(site_url=bad_site, language_version_of="prj-1"),
                project_id="prj-x",
                key=business,
                existing=[first],
                original=bad_original,
            )
        assert exc.value.reason == reason and exc.value.rule == "R-PRJ-07"
