"""The sanction catalogue and its terms (R-SAN-02..R-SAN-10)."""

from __future__ import annotations

from datetime import date

import pytest

from compliance_service.domain.sanction_catalogue import (
    CATALOGUE,
    SanctionKind,
    SanctionParameters,
    SanctionTerms,
    resolve_terms,
    validate_terms,
)
from compliance_service.domain.violation_types import ViolationType
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy, Tier

START = date(2026, 3, 2)


def _validate(
    policy: ProgramPolicy,
    kind: SanctionKind,
    end: date | None,
    *,
    start: date = START,
    violation_type: ViolationType = ViolationType.OTHER,
    parameters: SanctionParameters | None = None,
) -> None:
    terms = SanctionTerms(kind, start, end, parameters or SanctionParameters())
    validate_terms(terms, violation_type=violation_type, policy=policy)


def _refusal(policy: ProgramPolicy, kind: SanctionKind, end: date | None, **kwargs: object) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as err:
        _validate(policy, kind, end, **kwargs)  # type: ignore[arg-type]
    return err.value


def test_catalogue_covers_every_sanction_kind_with_its_rule() -> None:
    """R-SAN-02..R-SAN-10: every kind of section 11 is in the catalogue."""
    assert set(CATALOGUE) == set(SanctionKind)
    assert {entry.rule for entry in CATALOGUE.values()} == {f"R-SAN-{n:02d}" for n in range(2, 11)}


@pytest.mark.parametrize("kind", [SanctionKind.DISCOUNT_BLOCK, SanctionKind.CABINET_BLOCK])
def test_block_of_exactly_12_months_is_accepted(policy: ProgramPolicy, kind: SanctionKind) -> None:
    """R-SAN-07: a cabinet or discount block may last up to 12 months (policy max_block_months)."""
    _validate(policy, kind, date(2027, 3, 2))


@pytest.mark.parametrize("kind", [SanctionKind.DISCOUNT_BLOCK, SanctionKind.CABINET_BLOCK])
def test_block_of_12_months_and_one_day_is_invalid(policy: ProgramPolicy, kind: SanctionKind) -> None:
    """R-SAN-07: longer than 12 months is invalid input."""
    err = _refusal(policy, kind, date(2027, 3, 3))
    assert err.reason == "SANCTION_BLOCK_TOO_LONG" and err.rule == "R-SAN-07"
    assert err.violations[0].field == "sanction.end_date"


def test_block_cap_counts_calendar_months_from_a_leap_day(policy: ProgramPolicy) -> None:
    """R-SAN-07: 12 months from 29 Feb end on 28 Feb (ppcore.clock.add_months)."""
    _validate(policy, SanctionKind.DISCOUNT_BLOCK, date(2029, 2, 28), start=date(2028, 2, 29))
    _refusal(policy, SanctionKind.DISCOUNT_BLOCK, date(2029, 3, 1), start=date(2028, 2, 29))


def test_block_without_an_end_is_invalid(policy: ProgramPolicy) -> None:
    """R-SAN-07: the block is temporary; permanent is not allowed."""
    assert _refusal(policy, SanctionKind.DISCOUNT_BLOCK, None).reason == "SANCTION_END_REQUIRED"


def test_end_must_be_after_start(policy: ProgramPolicy) -> None:
    """R-SAN-01: a sanction has a start and, where temporary, a later end."""
    assert _refusal(policy, SanctionKind.POINTS_REFUSAL, START).reason == "SANCTION_END_BEFORE_START"


@pytest.mark.parametrize("end", [date(2026, 6, 2), date(2026, 9, 2)])
def test_dumping_list_exclusion_of_3_or_6_months_is_accepted(policy: ProgramPolicy, end: date) -> None:
    """R-SAN-05: for dumping the list exclusion is 3 or 6 months (policy dumping_exclusion_months)."""
    _validate(policy, SanctionKind.PUBLIC_LIST_EXCLUSION, end, violation_type=ViolationType.DUMPING)


@pytest.mark.parametrize("end", [date(2026, 6, 1), date(2026, 6, 3), date(2026, 7, 2), None])
def test_dumping_list_exclusion_of_any_other_period_is_invalid(policy: ProgramPolicy, end: date | None) -> None:
    """R-SAN-05: not 3 or 6 months exactly (nor permanent) for dumping."""
    err = _refusal(policy, SanctionKind.PUBLIC_LIST_EXCLUSION, end, violation_type=ViolationType.DUMPING)
    assert err.reason == "DUMPING_EXCLUSION_PERIOD" and err.rule == "R-SAN-05"


def test_list_exclusion_for_other_violations_may_be_permanent_or_any_length(policy: ProgramPolicy) -> None:
    """R-SAN-05: outside dumping, section 11 sets no period."""
    _validate(policy, SanctionKind.PUBLIC_LIST_EXCLUSION, None, violation_type=ViolationType.ETHICS_10_8)
    _validate(policy, SanctionKind.PUBLIC_LIST_EXCLUSION, date(2026, 4, 2), violation_type=ViolationType.ETHICS_10_8)


def test_status_downgrade_names_its_target_and_may_have_an_end(policy: ProgramPolicy) -> None:
    """R-SAN-02: a downgrade caps the status to a named lower one, for a term staff state."""
    _validate(policy, SanctionKind.STATUS_DOWNGRADE, None, parameters=SanctionParameters(target_tier=Tier.BUSINESS))
    missing = _refusal(policy, SanctionKind.STATUS_DOWNGRADE, None)
    assert missing.reason == "SANCTION_PARAMETER_REQUIRED"
    assert missing.violations[0].field == "sanction.parameters.target_tier"
    _validate(
        policy,
        SanctionKind.STATUS_DOWNGRADE,
        date(2026, 9, 2),
        parameters=SanctionParameters(target_tier=Tier.BUSINESS),
    )


def test_a_downgrade_ends_after_the_policy_term_unless_until_lifted_is_chosen(policy: ProgramPolicy) -> None:
    """R-SAN-02: section 11 lists "зниження статусу" with no term; a one-off demotion would be
    undone by the next automatic review, so it caps the status for a term staff state
    (policy default 12 months) or until lifted when chosen explicitly, never for ever by
    omission.
    """
    cap = SanctionParameters(target_tier=Tier.CERTIFIED)
    defaulted = resolve_terms(SanctionTerms(SanctionKind.STATUS_DOWNGRADE, START, None, cap), policy)
    assert policy.sanctions.downgrade_default_months == 12
    assert defaulted.end_date == date(2027, 3, 2)
    stated = resolve_terms(SanctionTerms(SanctionKind.STATUS_DOWNGRADE, START, date(2026, 6, 2), cap), policy)
    assert stated.end_date == date(2026, 6, 2)
    explicit = SanctionTerms(SanctionKind.STATUS_DOWNGRADE, START, None, cap, until_lifted=True)
    assert resolve_terms(explicit, policy).end_date is None
    validate_terms(explicit, violation_type=ViolationType.OTHER, policy=policy)
    both = SanctionTerms(SanctionKind.STATUS_DOWNGRADE, START, date(2026, 6, 2), cap, until_lifted=True)
    with pytest.raises(InvalidArgument) as err:
        validate_terms(both, violation_type=ViolationType.OTHER, policy=policy)
    assert err.value.reason == "SANCTION_END_AND_UNTIL_LIFTED"
    block = SanctionTerms(SanctionKind.DISCOUNT_BLOCK, START, None, until_lifted=True)
    with pytest.raises(InvalidArgument) as err:
        validate_terms(block, violation_type=ViolationType.OTHER, policy=policy)
    assert err.value.reason == "SANCTION_END_REQUIRED"


def test_downgrade_to_gold_is_invalid(policy: ProgramPolicy) -> None:
    """R-SAN-02: Gold is the top status, never a downgrade target."""
    err = _refusal(policy, SanctionKind.STATUS_DOWNGRADE, None, parameters=SanctionParameters(target_tier=Tier.GOLD))
    assert err.reason == "DOWNGRADE_TARGET_INVALID"


def test_competency_removal_names_known_competencies(policy: ProgramPolicy) -> None:
    """R-SAN-02: removal of competencies lists which ones, from the policy."""
    _validate(
        policy, SanctionKind.COMPETENCY_REMOVAL, None, parameters=SanctionParameters(competency_codes=("PHP_HOSTING",))
    )
    err = _refusal(
        policy, SanctionKind.COMPETENCY_REMOVAL, None, parameters=SanctionParameters(competency_codes=("FLYING",))
    )
    assert err.reason == "COMPETENCY_UNKNOWN"
    assert _refusal(policy, SanctionKind.COMPETENCY_REMOVAL, None).reason == "SANCTION_PARAMETER_REQUIRED"


@pytest.mark.parametrize(
    "kind",
    [
        SanctionKind.POINTS_REFUSAL,  # R-SAN-03
        SanctionKind.LEADS_DISCONNECTION,  # R-SAN-04
        SanctionKind.VIOLATORS_LIST,  # R-SAN-06
        SanctionKind.NFR_WITHDRAWAL,  # R-SAN-08
        SanctionKind.SEMINAR_REFUSAL,  # R-SAN-10
        SanctionKind.EVENT_COMPENSATION_REFUSAL,  # R-SAN-10
    ],
)
def test_unrestricted_kinds_may_be_temporary_or_permanent(policy: ProgramPolicy, kind: SanctionKind) -> None:
    """R-SAN-03, R-SAN-04, R-SAN-06, R-SAN-08, R-SAN-10: section 11 sets no period for these."""
    _validate(policy, kind, date(2026, 9, 2))
    _validate(policy, kind, None)


def test_nfr_withdrawal_may_name_the_keys(policy: ProgramPolicy) -> None:
    """R-SAN-08: the sanction names the NFR keys to disable or withdraw (none named: all)."""
    _validate(policy, SanctionKind.NFR_WITHDRAWAL, None, parameters=SanctionParameters(nfr_key_ids=("k1", "k2")))


def test_parameters_of_another_kind_are_refused(policy: ProgramPolicy) -> None:
    """R-SAN-03: a points refusal takes no key ids; a misplaced parameter is a mistake."""
    err = _refusal(policy, SanctionKind.POINTS_REFUSAL, None, parameters=SanctionParameters(nfr_key_ids=("k1",)))
    assert err.reason == "SANCTION_PARAMETER_NOT_APPLICABLE"


@pytest.mark.parametrize("kind", [SanctionKind.CONTRACT_SUSPENSION, SanctionKind.CONTRACT_TERMINATION])
def test_contract_suspension_and_termination_have_no_end_date(policy: ProgramPolicy, kind: SanctionKind) -> None:
    """R-SAN-09: suspension lasts until a separate decision (a lift); termination is final."""
    _validate(policy, kind, None)
    assert _refusal(policy, kind, date(2026, 6, 2)).reason == "SANCTION_END_NOT_ALLOWED"
