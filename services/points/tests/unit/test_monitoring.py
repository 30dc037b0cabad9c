from datetime import datetime
from decimal import Decimal

import pytest

from points_service.domain.events import MonitoringCompleted
from points_service.domain.ledger import SourceType
from points_service.domain.monitoring import (
    DEFAULT_QUESTIONNAIRE,
    ClientContact,
    MonitoringState,
    TestOutcome,
    TestResult,
    is_quality_participant,
    submit_stage1,
)
from points_service.domain.sanctions import RefusePointsSanction
from ppcore.clock import KYIV
from ppcore.errors import FailedPrecondition, InvalidArgument


def kyiv(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


CONTACT = ClientContact(name="Olena", phone="+380441234567")
ALL_FIVES = dict.fromkeys(DEFAULT_QUESTIONNAIRE, 5)


def stage1(policy, results, *, contact=CONTACT, existing=(), submission_id="m1", project_id=None):
    return submit_stage1(
        submission_id=submission_id,
        partner_id="p1",
        project_id=project_id,
        site_key="shop.com",
        license_key="KEY-1",
        edition_code="SM_BUSINESS",
        client_contact=contact,
        test_results=results,
        policy=policy,
        now=kyiv(2025, 9, 1),
        existing=existing,
    )


PASSING = [
    TestResult("SECURITY", mandatory=True, outcome=TestOutcome.PASSED),
    TestResult("PERFORMANCE", mandatory=True, outcome=TestOutcome.DISPUTED, explanation="CDN measured separately"),
    TestResult("SEO_EXTRA", mandatory=False, outcome=TestOutcome.FAILED),
]


def test_stage1_accepts_passed_or_disputed_mandatory_tests_and_ignores_optional_ones(policy):
    """R-QM-02: every mandatory test passed or disputed with an explanation; optional tests are free."""
    submission = stage1(policy, PASSING)
    assert submission.state is MonitoringState.AWAITING_SURVEY


def test_stage1_with_a_failed_mandatory_test_is_refused(policy):
    """R-QM-02: a mandatory test neither passed nor disputed refuses the submission, naming the test."""
    results = [*PASSING, TestResult("BACKUP", mandatory=True, outcome=TestOutcome.SKIPPED)]
    with pytest.raises(FailedPrecondition) as exc:
        stage1(policy, results)
    assert exc.value.rule == "R-QM-02"
    assert "BACKUP" in exc.value.message
    assert exc.value.violations[0].field == "test_results[3].outcome"


def test_dispute_without_explanation_is_invalid(policy):
    """R-QM-02: disputing a failed test needs an explanation kept for review."""
    with pytest.raises(InvalidArgument) as exc:
        stage1(policy, [TestResult("SECURITY", mandatory=True, outcome=TestOutcome.DISPUTED, explanation=" ")])
    assert exc.value.reason == "MONITORING_DISPUTE_UNEXPLAINED"


def test_results_go_in_with_the_client_contact(policy):
    """R-QM-02: without a client contact there is no one to survey."""
    with pytest.raises(InvalidArgument) as exc:
        stage1(policy, PASSING, contact=ClientContact(name="Olena"))
    assert exc.value.rule == "R-QM-02"


def test_survey_completion_accrues_the_license_editions_points_value(policy):
    """R-QM-03/R-QM-04: the client scores every question; completion accrues the edition's points value."""
    submission = stage1(policy, PASSING)
    entry = submission.record_survey(ALL_FIVES, entry_id="e1", at=kyiv(2025, 9, 10), surveyed_by="staff", policy=policy)
    edition = policy.edition("SM_BUSINESS")
    assert edition is not None
    assert entry.amount == Decimal(edition.points_value)
    assert entry.source_type is SourceType.QUALITY_MONITORING
    assert submission.state is MonitoringState.COMPLETED
    completed = submission.events[-1]
    assert isinstance(completed, MonitoringCompleted)
    assert (completed.partner_id, completed.completed_at) == ("p1", kyiv(2025, 9, 10))


def test_monitoring_needs_no_project_on_the_card_and_any_status_may_take_part(policy):
    """R-QM-01: monitoring counts independently of publication (before, after or with the card project)."""
    unlinked = stage1(policy, PASSING, project_id=None)
    assert (
        unlinked.record_survey(ALL_FIVES, entry_id="e", at=kyiv(2025, 9, 2), surveyed_by="s", policy=policy).amount > 0
    )


def test_a_site_goes_through_monitoring_once(policy):
    """R-QM-01: a project earns monitoring points once."""
    first = stage1(policy, PASSING)
    with pytest.raises(InvalidArgument):
        stage1(policy, PASSING, existing=[first], submission_id="m2")


@pytest.mark.parametrize(
    "scores",
    [
        {q: 5 for q in DEFAULT_QUESTIONNAIRE[:-1]},
        {**ALL_FIVES, "EXTRA": 3},
        {**ALL_FIVES, DEFAULT_QUESTIONNAIRE[0]: 9},
    ],
)
def test_survey_must_score_every_questionnaire_question_in_range(policy, scores):
    """R-QM-03: the same fixed questionnaire for everyone, each question scored."""
    submission = stage1(policy, PASSING)
    with pytest.raises(InvalidArgument) as exc:
        submission.record_survey(scores, entry_id="e1", at=kyiv(2025, 9, 2), surveyed_by="s", policy=policy)
    assert exc.value.rule == "R-QM-03"


def test_survey_is_recorded_once(policy):
    """R-QM-03: a completed monitoring takes no second survey (points accrue once)."""
    submission = stage1(policy, PASSING)
    submission.record_survey(ALL_FIVES, entry_id="e1", at=kyiv(2025, 9, 2), surveyed_by="s", policy=policy)
    with pytest.raises(FailedPrecondition):
        submission.record_survey(ALL_FIVES, entry_id="e2", at=kyiv(2025, 9, 3), surveyed_by="s", policy=policy)


def test_completed_monitoring_makes_a_quality_participant(policy):
    """R-QM-05: participants carry the quality program badge once a monitoring completes."""
    submission = stage1(policy, PASSING)
    assert not is_quality_participant([submission], "p1")
    submission.record_survey(ALL_FIVES, entry_id="e1", at=kyiv(2025, 9, 2), surveyed_by="s", policy=policy)
    assert is_quality_participant([submission], "p1")


def test_monitoring_under_sanction_completes_with_zero_points(policy):
    """R-PTS-07: the survey still completes monitoring under a refuse-points sanction, with zero points."""
    sanction = RefusePointsSanction(sanction_id="s1", partner_id="p1", starts_at=kyiv(2025, 1, 1))
    submission = stage1(policy, PASSING)
    entry = submission.record_survey(
        ALL_FIVES, entry_id="e1", at=kyiv(2025, 9, 2), surveyed_by="s", policy=policy, sanctions=[sanction]
    )
    assert entry.amount == Decimal("0.00")
    assert entry.withheld_reason
    assert submission.state is MonitoringState.COMPLETED


def test_the_survey_questionnaire_can_be_read_and_is_what_the_survey_checks():
    """R-QM-03: "по заздалегідь відомій та для всіх випадків однакової анкеті" -- the one fixed questionnaire is listed by a query, and a
    survey scoring exactly those questions is complete."""
    from points_service.domain.monitoring import DEFAULT_QUESTIONNAIRE
    from points_service.service_layer.monitoring import questionnaire

    listed = questionnaire()
    assert listed.question_codes == DEFAULT_QUESTIONNAIRE and len(listed.question_codes) >= 1
    assert (listed.min_score, listed.max_score) == (1, 5)
