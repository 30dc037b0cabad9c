"""The quality-monitoring program (R-QM-01..05).

Stage 1: the partner sends the quality monitor's results with the client's contact;
every mandatory test passed, or disputed as passed with an explanation. Stage 2: staff
record the client's scores on the fixed questionnaire; completion accrues the
license edition's points value, whether or not the project is on the card (R-QM-01).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from points_service.domain.accruals import accrue
from points_service.domain.events import DomainEvent, MonitoringCompleted, PointsAccrued
from points_service.domain.ledger import LedgerEntry, SourceType
from points_service.domain.sanctions import RefusePointsSanction
from ppcore.errors import FailedPrecondition, FieldViolation, InvalidArgument
from ppcore.personal_data import LegalBasis
from ppcore.policy import ProgramPolicy

# R-QM-03: the same questionnaire for every client. Not in the program policy yet, so it
# is a parameter with this default (see the service's report).
DEFAULT_QUESTIONNAIRE: tuple[str, ...] = (
    "OVERALL_SATISFACTION",
    "DEADLINES_MET",
    "QUALITY_OF_RESULT",
    "COMMUNICATION",
    "WOULD_RECOMMEND",
)
DEFAULT_SCORE_RANGE = (1, 5)


@dataclass(frozen=True)
class Questionnaire:
    """R-QM-03: the fixed client-survey questionnaire, the same for everyone, and its score range."""

    question_codes: tuple[str, ...] = DEFAULT_QUESTIONNAIRE
    min_score: int = DEFAULT_SCORE_RANGE[0]
    max_score: int = DEFAULT_SCORE_RANGE[1]


class TestOutcome(StrEnum):
    """A quality-monitor test's result as the partner sends it."""

    __test__ = False  # not a pytest class

    PASSED = "PASSED"
    FAILED = "FAILED"
    DISPUTED = "DISPUTED"
    """Failed by the monitor, marked passed by the partner with an explanation (R-QM-02)."""
    SKIPPED = "SKIPPED"


@dataclass(frozen=True)
class TestResult:
    __test__ = False

    test_code: str
    mandatory: bool
    outcome: TestOutcome
    explanation: str = ""


@dataclass(frozen=True)
class ClientContact:
    name: str
    phone: str = ""
    email: str = ""
    # R-PD-01: held for the client survey, annex 1 p.2.4 ("здійснення опитувань з метою
    # дослідження думки Користувача про Програмні продукти").
    legal_basis: LegalBasis = LegalBasis.USER_SERVICES


class MonitoringState(StrEnum):
    AWAITING_SURVEY = "AWAITING_SURVEY"
    COMPLETED = "COMPLETED"


@dataclass
class MonitoringSubmission:
    submission_id: str
    partner_id: str
    project_id: str | None
    site_key: str
    license_key: str
    edition_code: str
    client_contact: ClientContact
    test_results: tuple[TestResult, ...]
    submitted_at: datetime
    state: MonitoringState = MonitoringState.AWAITING_SURVEY
    survey_scores: dict[str, int] = field(default_factory=dict)
    completed_at: datetime | None = None
    surveyed_by: str = ""
    ledger_entry_id: str | None = None
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def record_survey(
        self,
        scores: Mapping[str, int],
        *,
        entry_id: str,
        at: datetime,
        surveyed_by: str,
        policy: ProgramPolicy,
        sanctions: Iterable[RefusePointsSanction] = (),
        questionnaire: tuple[str, ...] = DEFAULT_QUESTIONNAIRE,
        score_range: tuple[int, int] = DEFAULT_SCORE_RANGE,
    ) -> LedgerEntry:
        """Stage 2 (R-QM-03): every question scored; completion accrues the edition's points value (R-QM-04)."""
        if self.state is not MonitoringState.AWAITING_SURVEY:
            raise FailedPrecondition(
                reason="MONITORING_ALREADY_COMPLETED",
                message=f"monitoring {self.submission_id} has its survey already (R-QM-03)",
                rule="R-QM-03",
            )
        _check_scores(scores, questionnaire, score_range)
        edition = policy.edition(self.edition_code)
        points = edition.points_value if edition is not None else 0
        entry = accrue(
            entry_id=entry_id,
            partner_id=self.partner_id,
            source_type=SourceType.QUALITY_MONITORING,
            source_id=self.submission_id,
            points=points,
            at=at,
            decided_by=surveyed_by,
            policy=policy,
            sanctions=sanctions,
            note=f"quality monitoring completed: points value of edition {self.edition_code} (R-QM-04)",
        )
        self.state = MonitoringState.COMPLETED
        self.survey_scores = dict(scores)
        self.completed_at = at
        self.surveyed_by = surveyed_by
        self.ledger_entry_id = entry.entry_id
        self.events.append(PointsAccrued.of(entry))
        self.events.append(
            MonitoringCompleted(
                partner_id=self.partner_id,
                submission_id=self.submission_id,
                project_id=self.project_id,
                site_key=self.site_key,
                edition_code=self.edition_code,
                points=entry.amount,
                completed_at=at,
                policy_version=policy.version,
            )
        )
        return entry


def submit_stage1(
    *,
    submission_id: str,
    partner_id: str,
    project_id: str | None,
    site_key: str,
    license_key: str,
    edition_code: str,
    client_contact: ClientContact,
    test_results: Iterable[TestResult],
    policy: ProgramPolicy,
    now: datetime,
    existing: Iterable[MonitoringSubmission] = (),
) -> MonitoringSubmission:
    """Stage 1 (R-QM-02). Any partner may take part whatever its status (R-QM-01), with or
    without the project on its card; ``project_id`` links them when there is one.
    ``existing``: submissions for the same site; a site goes through monitoring once."""
    if not partner_id.strip():
        raise InvalidArgument.for_field("partner_id", "is required")
    for other in existing:
        if other.site_key == site_key and other.submission_id != submission_id:
            raise InvalidArgument.for_field(
                "site_url",
                f"this site is in quality monitoring already as {other.submission_id} (R-QM-01)",
                reason="MONITORING_DUPLICATE_SITE",
                rule="R-QM-01",
            )
    if policy.edition(edition_code) is None:
        raise InvalidArgument.for_field(
            "edition_code",
            f"unknown license edition {edition_code!r} (R-QM-04)",
            reason="MONITORING_UNKNOWN_EDITION",
            rule="R-QM-04",
        )
    if not client_contact.name.strip() or not (client_contact.phone.strip() or client_contact.email.strip()):
        raise InvalidArgument.for_field(
            "client_contact",
            "results go in with the client's name and a phone or e-mail for the survey (R-QM-02)",
            reason="MONITORING_CLIENT_CONTACT_MISSING",
            rule="R-QM-02",
        )
    results = tuple(test_results)
    check_stage1(results)
    return MonitoringSubmission(
        submission_id=submission_id,
        partner_id=partner_id,
        project_id=project_id,
        site_key=site_key,
        license_key=license_key,
        edition_code=edition_code,
        client_contact=client_contact,
        test_results=results,
        submitted_at=now,
    )


def check_stage1(results: tuple[TestResult, ...]) -> None:
    """R-QM-02: a dispute needs an explanation (invalid input); a mandatory test that is neither
    passed nor disputed refuses the submission (failed precondition). Optional tests are free."""
    if not results:
        raise InvalidArgument.for_field(
            "test_results",
            "stage 1 sends the quality monitor's results (R-QM-02)",
            reason="MONITORING_NO_RESULTS",
            rule="R-QM-02",
        )
    codes = [r.test_code for r in results]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InvalidArgument.for_field("test_results", f"tests reported twice: {', '.join(duplicates)}")
    for index, result in enumerate(results):
        if result.outcome is TestOutcome.DISPUTED and not result.explanation.strip():
            raise InvalidArgument.for_field(
                f"test_results[{index}].explanation",
                f"disputing test {result.test_code} needs an explanation (R-QM-02)",
                reason="MONITORING_DISPUTE_UNEXPLAINED",
                rule="R-QM-02",
            )
    failing = [
        (i, r)
        for i, r in enumerate(results)
        if r.mandatory and r.outcome not in (TestOutcome.PASSED, TestOutcome.DISPUTED)
    ]
    if failing:
        raise FailedPrecondition(
            reason="MONITORING_MANDATORY_TEST_NOT_PASSED",
            message="every mandatory test must pass or be disputed with an explanation (R-QM-02): "
            + ", ".join(r.test_code for _, r in failing),
            rule="R-QM-02",
            violations=tuple(
                FieldViolation(f"test_results[{i}].outcome", f"mandatory test {r.test_code} is {r.outcome}")
                for i, r in failing
            ),
        )


def _check_scores(scores: Mapping[str, int], questionnaire: tuple[str, ...], score_range: tuple[int, int]) -> None:
    """R-QM-03: the client scores every question of the fixed questionnaire, and only those."""
    low, high = score_range
    missing = [q for q in questionnaire if q not in scores]
    unknown = sorted(set(scores) - set(questionnaire))
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"unscored: {', '.join(missing)}")
        if unknown:
            problems.append(f"not in the questionnaire: {', '.join(unknown)}")
        raise InvalidArgument.for_field(
            "survey_scores",
            "; ".join(problems) + " (GetSurveyQuestionnaire lists the questions) (R-QM-03)",
            reason="MONITORING_SURVEY_INCOMPLETE",
            rule="R-QM-03",
        )
    for question, score in scores.items():
        if not low <= score <= high:
            raise InvalidArgument.for_field(
                f"survey_scores[{question}]",
                f"score {score} is outside {low}..{high} (R-QM-03)",
                reason="MONITORING_SCORE_OUT_OF_RANGE",
                rule="R-QM-03",
            )


def is_quality_participant(submissions: Iterable[MonitoringSubmission], partner_id: str) -> bool:
    """R-QM-05: a partner with a completed monitoring carries the participant badge (status shows it)."""
    return any(s.partner_id == partner_id and s.state is MonitoringState.COMPLETED for s in submissions)
