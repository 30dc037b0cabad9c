"""Projects added to the partner card (R-PRJ-01..08).

Submission checks what can be checked at input (key facts, site uniqueness, sites per
key) and refuses with INVALID_ARGUMENT naming the rule; staff then approve (points
accrue) or reject with a note within the review deadline. A rejected project may be
corrected and resubmitted. Editing never recalculates points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from points_service.domain.accruals import accrue
from points_service.domain.amounts import to_points
from points_service.domain.disputes import claims_disagree
from points_service.domain.events import DomainEvent, PointsAccrued, ProjectApproved, ProjectRejected
from points_service.domain.joint import DisputeStanding, JointDecision, decide_joint_share
from points_service.domain.keys import KeyFacts, check_key_facts
from points_service.domain.ledger import LedgerEntry, SourceType
from points_service.domain.sanctions import RefusePointsSanction
from points_service.domain.sites import SiteAliases, normalize_site, site_keys
from ppcore.calendar import BusinessCalendar
from ppcore.clock import kyiv_date
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import ProgramPolicy


class ProjectState(StrEnum):
    """R-PRJ-01: under review, then approved or rejected."""

    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class ProjectDraft:
    """What a partner submits (or resubmits)."""

    partner_id: str
    site_url: str
    license_key: str
    edition_code: str | None = None
    # Mirrors, aliases and language versions on other addresses: one project (R-PRJ-05, R-PRJ-07).
    mirror_urls: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    publish_on_site: bool = True
    template_design: bool = False
    joint_partner_id: str | None = None
    contract_holder_partner_id: str | None = None
    # R-PRJ-07: the partner's own project this one is a language version of.
    language_version_of: str | None = None


@dataclass
class Project:
    project_id: str
    partner_id: str
    site_url: str
    site_key: str
    site_keys: frozenset[str]
    mirror_urls: tuple[str, ...]
    license_key: str
    edition_code: str
    title: str
    description: str
    publish_on_site: bool
    template_design: bool
    joint_partner_id: str | None
    contract_holder_partner_id: str | None
    state: ProjectState
    submitted_at: datetime
    review_due_date: date
    submission_count: int = 1
    moderator_note: str = ""
    decided_at: datetime | None = None
    decided_by: str = ""
    base_points: Decimal | None = None
    awarded_share: Decimal | None = None
    ledger_entry_id: str | None = None
    policy_version: str = ""
    # R-PRJ-08: the dispute over its site, when another partner's claim disagrees with it.
    dispute_id: str | None = None
    # R-PRJ-07: the partner's own project this one is a language version of.
    language_version_of: str | None = None
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def holds_its_site(self) -> bool:
        """A rejected project frees its site and key slot, so it can be corrected and resubmitted."""
        return self.state is not ProjectState.REJECTED

    # --- moderation (R-PRJ-01) -----------------------------------------------------
    def approve(
        self,
        *,
        entry_id: str,
        at: datetime,
        decided_by: str,
        policy: ProgramPolicy,
        counterpart: Project | None = None,
        sanctions: Iterable[RefusePointsSanction] = (),
        template_design: bool | None = None,
        dispute: DisputeStanding | None = None,
        note: str = "",
    ) -> ProjectApproval:
        """Staff approve: the project's points accrue (R-PRJ-01), none for a template design (R-PRJ-03),
        half when both co-developers declared each other, none while one side alone declared or its site
        is in an open dispute, staff's share once the dispute is decided (R-PRJ-08), zero under a
        sanction (R-PTS-07)."""
        self._require_under_review("approve")
        if template_design is not None:
            self.template_design = template_design
        joint = decide_joint_share(self, counterpart, dispute=dispute)
        base = to_points(0 if self.template_design else project_points_value(self.edition_code, policy))
        reasons = [r for r in (note, joint.reason) if r]
        if self.template_design:
            reasons.append("template design earns no points (R-PRJ-03)")
        entry = accrue(
            entry_id=entry_id,
            partner_id=self.partner_id,
            source_type=SourceType.PROJECT,
            source_id=self.project_id,
            points=base * joint.share,
            at=at,
            decided_by=decided_by,
            policy=policy,
            sanctions=sanctions,
            note="; ".join(reasons),
        )
        self.state = ProjectState.APPROVED
        self.moderator_note = note
        self.decided_at = at
        self.decided_by = decided_by
        self.base_points = base
        self.awarded_share = joint.share
        self.ledger_entry_id = entry.entry_id
        self.policy_version = policy.version
        self.events.append(PointsAccrued.of(entry))
        self.events.append(
            ProjectApproved(
                partner_id=self.partner_id,
                project_id=self.project_id,
                site_key=self.site_key,
                publish_on_site=self.publish_on_site,
                points=entry.amount,
                approved_at=at,
                decided_by=decided_by,
                policy_version=policy.version,
                note=entry.note,
            )
        )
        return ProjectApproval(entry=entry, joint=joint)

    def reject(self, *, at: datetime, decided_by: str, note: str) -> None:
        """Staff reject with a moderator note naming the shortcomings (R-PRJ-01)."""
        self._require_under_review("reject")
        if not note.strip():
            raise InvalidArgument.for_field(
                "moderator_note",
                "a rejection says what is wrong (R-PRJ-01)",
                reason="PROJECT_NOTE_MISSING",
                rule="R-PRJ-01",
            )
        self.state = ProjectState.REJECTED
        self.moderator_note = note
        self.decided_at = at
        self.decided_by = decided_by
        self.events.append(
            ProjectRejected(
                partner_id=self.partner_id,
                project_id=self.project_id,
                site_key=self.site_key,
                moderator_note=note,
                rejected_at=at,
                decided_by=decided_by,
            )
        )

    def resubmit(
        self,
        draft: ProjectDraft,
        *,
        key_facts: KeyFacts | None,
        existing: Iterable[Project],
        aliases: SiteAliases,
        policy: ProgramPolicy,
        now: datetime,
        original: Project | None = None,
    ) -> list[Project]:
        """A rejected project, corrected, goes back under review with a fresh deadline (R-PRJ-01).
        Returns the other partners' projects whose claim to the site disagrees with it (R-PRJ-08)."""
        if self.state is not ProjectState.REJECTED:
            raise FailedPrecondition(
                reason="PROJECT_NOT_REJECTED",
                message=f"project {self.project_id} is {self.state}; only a rejected project is resubmitted (R-PRJ-01)",
                rule="R-PRJ-01",
            )
        if draft.partner_id != self.partner_id:
            raise InvalidArgument.for_field("project.partner_id", "a project stays with the partner that added it")
        checked = _check_submission(
            draft,
            key_facts=key_facts,
            existing=existing,
            aliases=aliases,
            policy=policy,
            own_project_id=self.project_id,
            original=original,
        )
        self._apply(draft, checked)
        self.state = ProjectState.UNDER_REVIEW
        self.submitted_at = now
        self.review_due_date = review_due_date(now, policy)
        self.submission_count += 1
        self.decided_at = None
        self.decided_by = ""
        self.dispute_id = None
        return checked.rivals_of(self)

    # --- editing (R-PRJ-01) ----------------------------------------------------------
    def edit(
        self, *, title: str | None = None, description: str | None = None, publish_on_site: bool | None = None
    ) -> None:
        """Change how the project is shown. Never recalculates points (R-PRJ-01); the site, key and
        joint declaration change only through resubmission of a rejected project."""
        if title is not None:
            self.title = title
        if description is not None:
            self.description = description
        if publish_on_site is not None:
            # R-PRJ-02: an unpublished project keeps its points.
            self.publish_on_site = publish_on_site

    # --- deadline (R-PRJ-01) ---------------------------------------------------------
    def is_overdue(self, today: date) -> bool:
        """Still under review after its review deadline (R-PRJ-01)."""
        return self.state is ProjectState.UNDER_REVIEW and today > self.review_due_date

    def _require_under_review(self, action: str) -> None:
        if self.state is not ProjectState.UNDER_REVIEW:
            raise FailedPrecondition(
                reason="PROJECT_NOT_UNDER_REVIEW",
                message=f"project {self.project_id} is {self.state}; "
                f"only a project under review can be {action}d (R-PRJ-01)",
                rule="R-PRJ-01",
            )

    def _apply(self, draft: ProjectDraft, checked: _CheckedSubmission) -> None:
        self.site_url = draft.site_url
        self.site_key = checked.site_key
        self.site_keys = checked.site_keys
        self.mirror_urls = draft.mirror_urls
        self.license_key = draft.license_key.strip()
        self.edition_code = checked.edition_code
        self.title = draft.title
        self.description = draft.description
        self.publish_on_site = draft.publish_on_site
        self.template_design = draft.template_design
        self.joint_partner_id = draft.joint_partner_id
        self.contract_holder_partner_id = checked.contract_holder_partner_id
        self.language_version_of = draft.language_version_of


@dataclass(frozen=True)
class ProjectApproval:
    """The entry the approval accrued and the joint decision behind it (its counterpart share, if any,
    is for the service layer to correct with ``joint.rebalance_counterpart``)."""

    entry: LedgerEntry
    joint: JointDecision


def project_points_value(edition_code: str, policy: ProgramPolicy) -> Decimal:
    """R-PRJ-04: a published project earns its key edition's points value by *policy* default (as
    monitoring does, R-QM-04); the FLAT basis gives every project ``project_published``."""
    main = policy.points.main
    edition = policy.edition(edition_code)
    if main.project_points_basis == "FLAT" or edition is None:
        return to_points(main.project_published)
    return to_points(edition.points_value)


def review_due_date(submitted_at: datetime, policy: ProgramPolicy) -> date:
    """R-PRJ-01: the review deadline, *policy* business days after the Kyiv submission date."""
    calendar: BusinessCalendar = policy.business_calendar()
    return calendar.add_business_days(kyiv_date(submitted_at), policy.deadlines.project_review_days)


def submit_project(
    draft: ProjectDraft,
    *,
    project_id: str,
    key_facts: KeyFacts | None,
    existing: Iterable[Project],
    aliases: SiteAliases,
    policy: ProgramPolicy,
    now: datetime,
    original: Project | None = None,
) -> Submission:
    """A new project under review (R-PRJ-01), or INVALID_ARGUMENT naming the rule it breaks.

    ``existing``: projects that may collide with it (same site keys or same license key),
    of any partner; the caller may pass more, the check filters. ``original``: the project named
    by ``draft.language_version_of`` (R-PRJ-07). Other partners' claims to the same site that
    disagree with this one are returned as rivals, for a dispute (R-PRJ-05, R-PRJ-08).
    """
    checked = _check_submission(
        draft,
        key_facts=key_facts,
        existing=existing,
        aliases=aliases,
        policy=policy,
        own_project_id=project_id,
        original=original,
    )
    project = Project(
        project_id=project_id,
        partner_id=draft.partner_id,
        site_url=draft.site_url,
        site_key=checked.site_key,
        site_keys=checked.site_keys,
        mirror_urls=draft.mirror_urls,
        license_key=draft.license_key.strip(),
        edition_code=checked.edition_code,
        title=draft.title,
        description=draft.description,
        publish_on_site=draft.publish_on_site,
        template_design=draft.template_design,
        joint_partner_id=draft.joint_partner_id,
        contract_holder_partner_id=checked.contract_holder_partner_id,
        state=ProjectState.UNDER_REVIEW,
        submitted_at=now,
        review_due_date=review_due_date(now, policy),
        language_version_of=draft.language_version_of,
    )
    return Submission(project, checked.rivals_of(project))


@dataclass(frozen=True)
class Submission:
    """A submitted project and the other partners' projects whose claim to its site disagrees (R-PRJ-08)."""

    project: Project
    rivals: list[Project]


def overdue_projects(projects: Iterable[Project], today: date) -> list[Project]:
    """Projects still under review past their deadline, oldest deadline first (R-PRJ-01)."""
    return sorted((p for p in projects if p.is_overdue(today)), key=lambda p: (p.review_due_date, p.project_id))


def find_counterpart(project: Project, candidates: Iterable[Project]) -> Project | None:
    """The co-developer's project for the same site, if it submitted one (R-PRJ-08)."""
    if project.joint_partner_id is None:
        return None
    for other in candidates:
        if (
            other.project_id != project.project_id
            and other.partner_id == project.joint_partner_id
            and other.holds_its_site
            and other.site_keys & project.site_keys
        ):
            return other
    return None


@dataclass(frozen=True)
class _CheckedSubmission:
    site_key: str
    site_keys: frozenset[str]
    edition_code: str
    contract_holder_partner_id: str | None
    other_claims: tuple[Project, ...] = ()

    def rivals_of(self, project: Project) -> list[Project]:
        return list(self.other_claims) if claims_disagree(project, self.other_claims) else []


def _check_submission(
    draft: ProjectDraft,
    *,
    key_facts: KeyFacts | None,
    existing: Iterable[Project],
    aliases: SiteAliases,
    policy: ProgramPolicy,
    own_project_id: str,
    original: Project | None = None,
) -> _CheckedSubmission:
    if not draft.partner_id.strip():
        raise InvalidArgument.for_field("project.partner_id", "is required")
    holder = _check_joint_declaration(draft)
    facts = check_key_facts(draft.license_key, key_facts, submitter=draft.partner_id)
    edition_code = _edition_of(draft, facts, policy)
    keys = site_keys(draft.site_url, draft.mirror_urls, aliases)
    site_key = aliases.resolve(normalize_site(draft.site_url))
    others = [p for p in existing if p.project_id != own_project_id and p.holds_its_site]
    original = _check_language_version(draft, site_key, original)
    other_claims = _check_site_not_taken(draft, keys, others, original)
    _check_sites_per_key(draft, keys, edition_code, others, policy, original)
    return _CheckedSubmission(
        site_key=site_key,
        site_keys=keys,
        edition_code=edition_code,
        contract_holder_partner_id=holder,
        other_claims=tuple(other_claims),
    )


def _check_language_version(draft: ProjectDraft, site_key: str, original: Project | None) -> Project | None:
    """R-PRJ-07: "Виняток становлять багатомовні версії одного проекту": a language version of the
    partner's own project may be added as a project of its own, at its own address."""
    if draft.language_version_of is None:
        return None
    if original is None or original.partner_id != draft.partner_id or not original.holds_its_site:
        raise InvalidArgument.for_field(
            "project.language_version_of_project_id",
            f"{draft.language_version_of} is not a project of partner {draft.partner_id} (R-PRJ-07)",
            reason="PROJECT_LANGUAGE_VERSION_OF_UNKNOWN",
            rule="R-PRJ-07",
        )
    if site_key == original.site_key:
        raise InvalidArgument.for_field(
            "project.site_url",
            f"a language version has its own address, not {original.site_key} of project "
            f"{original.project_id} (R-PRJ-07)",
            reason="PROJECT_LANGUAGE_VERSION_SAME_SITE",
            rule="R-PRJ-07",
        )
    return original


def _check_joint_declaration(draft: ProjectDraft) -> str | None:
    """R-PRJ-08: a co-developer is another partner; the contract holder is one of the two."""
    joint = draft.joint_partner_id
    holder = draft.contract_holder_partner_id
    if joint is None:
        if holder not in (None, draft.partner_id):
            raise InvalidArgument.for_field(
                "project.contract_holder_partner_id",
                "without a co-developer the contract holder is the partner itself (R-PRJ-08)",
                reason="PROJECT_CONTRACT_HOLDER_INVALID",
                rule="R-PRJ-08",
            )
        return draft.partner_id
    if joint == draft.partner_id:
        raise InvalidArgument.for_field(
            "project.joint_partner_id",
            "the co-developer is another partner (R-PRJ-08)",
            reason="PROJECT_JOINT_PARTNER_INVALID",
            rule="R-PRJ-08",
        )
    if holder is not None and holder not in (draft.partner_id, joint):
        # The holder is the partner's claim only (staff decide disputes), so it may be left out.
        raise InvalidArgument.for_field(
            "project.contract_holder_partner_id",
            "the client contract holder of a joint project is one of the two partners (R-PRJ-08)",
            reason="PROJECT_CONTRACT_HOLDER_INVALID",
            rule="R-PRJ-08",
        )
    return holder


def _edition_of(draft: ProjectDraft, facts: KeyFacts, policy: ProgramPolicy) -> str:
    """The key's edition is authoritative (R-PRJ-04); a different declared edition is refused."""
    declared = draft.edition_code or None
    edition_code = facts.edition_code or declared
    if declared and facts.edition_code and declared != facts.edition_code:
        raise InvalidArgument.for_field(
            "project.edition_code",
            f"the license key is of edition {facts.edition_code}, not {declared} (R-PRJ-04)",
            reason="PROJECT_EDITION_MISMATCH",
            rule="R-PRJ-04",
        )
    if edition_code is None or policy.edition(edition_code) is None:
        raise InvalidArgument.for_field(
            "project.edition_code",
            f"unknown license edition {edition_code!r} (R-PRJ-06)",
            reason="PROJECT_UNKNOWN_EDITION",
            rule="R-PRJ-06",
        )
    return edition_code


def _check_site_not_taken(
    draft: ProjectDraft, keys: frozenset[str], others: list[Project], original: Project | None
) -> list[Project]:
    """R-PRJ-05: the same partner adds a site (or a mirror or alias of it) once; a language version of
    its own project is the exception (R-PRJ-07). Other partners' projects on the site are returned:
    the co-developer's side of a joint project, or a rival claim for staff to settle (R-PRJ-08)."""
    claims = []
    for other in others:
        if not other.site_keys & keys or (original is not None and other.project_id == original.project_id):
            continue
        if other.partner_id == draft.partner_id:
            raise InvalidArgument.for_field(
                "project.site_url",
                f"this site (or a mirror or alias of it) was added already as project {other.project_id} (R-PRJ-05)",
                reason="PROJECT_DUPLICATE_SITE",
                rule="R-PRJ-05",
            )
        claims.append(other)
    return claims


def _check_sites_per_key(
    draft: ProjectDraft,
    keys: frozenset[str],
    edition_code: str,
    others: list[Project],
    policy: ProgramPolicy,
    original: Project | None,
) -> None:
    """R-PRJ-06: no more sites on one license key than its edition allows (another partner's claim to
    the same site is the same site); a language version counts as a site of its own (R-PRJ-07)."""
    edition = policy.edition(edition_code)
    assert edition is not None  # checked by _edition_of
    license_key = draft.license_key.strip()
    sites_on_key = {
        o.project_id if o is original else o.site_key
        for o in others
        if o.license_key == license_key and (o is original or not (o.site_keys & keys))
    }
    if len(sites_on_key) >= edition.sites_allowed:
        raise InvalidArgument.for_field(
            "project.license_key",
            f"edition {edition_code} allows {edition.sites_allowed} site(s) per key and the key has "
            f"{len(sites_on_key)} already (R-PRJ-06)",
            reason="PROJECT_KEY_SITE_LIMIT",
            rule="R-PRJ-06",
        )
