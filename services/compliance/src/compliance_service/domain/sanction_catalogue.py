"""The sanction catalogue of section 11 and the terms each sanction may take (R-SAN-02..10)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from compliance_service.domain.violation_types import ViolationType
from ppcore.clock import add_months
from ppcore.errors import InvalidArgument
from ppcore.policy import ProgramPolicy, Tier


class SanctionKind(StrEnum):
    STATUS_DOWNGRADE = "STATUS_DOWNGRADE"
    COMPETENCY_REMOVAL = "COMPETENCY_REMOVAL"
    POINTS_REFUSAL = "POINTS_REFUSAL"
    LEADS_DISCONNECTION = "LEADS_DISCONNECTION"
    PUBLIC_LIST_EXCLUSION = "PUBLIC_LIST_EXCLUSION"
    VIOLATORS_LIST = "VIOLATORS_LIST"
    CABINET_BLOCK = "CABINET_BLOCK"
    DISCOUNT_BLOCK = "DISCOUNT_BLOCK"
    NFR_WITHDRAWAL = "NFR_WITHDRAWAL"
    CONTRACT_SUSPENSION = "CONTRACT_SUSPENSION"
    CONTRACT_TERMINATION = "CONTRACT_TERMINATION"
    SEMINAR_REFUSAL = "SEMINAR_REFUSAL"
    EVENT_COMPENSATION_REFUSAL = "EVENT_COMPENSATION_REFUSAL"


class Duration(StrEnum):
    """Which end a sanction of a kind may have."""

    # The effect happens once and stays (a downgrade, a removal, a termination): no end.
    NO_END = "NO_END"
    # An end date is required.
    TEMPORARY = "TEMPORARY"
    # Either; section 11 does not restrict the kind, so staff choose.
    TEMPORARY_OR_PERMANENT = "TEMPORARY_OR_PERMANENT"
    # A term staff state, the policy's default term when they state none, or "until lifted"
    # only when chosen explicitly: never without an end by omission (R-SAN-02).
    TERM_OR_EXPLICITLY_UNTIL_LIFTED = "TERM_OR_EXPLICITLY_UNTIL_LIFTED"


class Parameter(StrEnum):
    """What the enforcing service needs besides the kind."""

    TARGET_TIER = "TARGET_TIER"
    COMPETENCY_CODES = "COMPETENCY_CODES"
    NFR_KEY_IDS = "NFR_KEY_IDS"


@dataclass(frozen=True)
class CatalogueEntry:
    kind: SanctionKind
    rule: str
    duration: Duration
    required: frozenset[Parameter] = frozenset()
    optional: frozenset[Parameter] = frozenset()
    # R-SAN-07: blocks are capped at policy sanctions.max_block_months.
    capped_by_max_block: bool = False


CATALOGUE: dict[SanctionKind, CatalogueEntry] = {
    entry.kind: entry
    for entry in (
        # R-SAN-02: a downgrade caps the status for its term; a one-off demotion would be
        # undone by the next automatic review (R-STS-04), and a cap with no end by omission
        # would hold for ever.
        CatalogueEntry(
            SanctionKind.STATUS_DOWNGRADE,
            "R-SAN-02",
            Duration.TERM_OR_EXPLICITLY_UNTIL_LIFTED,
            required=frozenset({Parameter.TARGET_TIER}),
        ),
        CatalogueEntry(
            SanctionKind.COMPETENCY_REMOVAL,
            "R-SAN-02",
            Duration.NO_END,
            required=frozenset({Parameter.COMPETENCY_CODES}),
        ),
        CatalogueEntry(SanctionKind.POINTS_REFUSAL, "R-SAN-03", Duration.TEMPORARY_OR_PERMANENT),
        # "temporary or permanent disconnection" is the document's own wording.
        CatalogueEntry(SanctionKind.LEADS_DISCONNECTION, "R-SAN-04", Duration.TEMPORARY_OR_PERMANENT),
        # For dumping the exclusion is exactly 3 or 6 months (checked below); otherwise open.
        CatalogueEntry(SanctionKind.PUBLIC_LIST_EXCLUSION, "R-SAN-05", Duration.TEMPORARY_OR_PERMANENT),
        CatalogueEntry(SanctionKind.VIOLATORS_LIST, "R-SAN-06", Duration.TEMPORARY_OR_PERMANENT),
        CatalogueEntry(SanctionKind.CABINET_BLOCK, "R-SAN-07", Duration.TEMPORARY, capped_by_max_block=True),
        CatalogueEntry(SanctionKind.DISCOUNT_BLOCK, "R-SAN-07", Duration.TEMPORARY, capped_by_max_block=True),
        # Temporary = keys disabled until the end; permanent = keys withdrawn. No ids = every key.
        CatalogueEntry(
            SanctionKind.NFR_WITHDRAWAL,
            "R-SAN-08",
            Duration.TEMPORARY_OR_PERMANENT,
            optional=frozenset({Parameter.NFR_KEY_IDS}),
        ),
        # "until a separate decision": no end date, staff lift it.
        CatalogueEntry(SanctionKind.CONTRACT_SUSPENSION, "R-SAN-09", Duration.NO_END),
        CatalogueEntry(SanctionKind.CONTRACT_TERMINATION, "R-SAN-09", Duration.NO_END),
        CatalogueEntry(SanctionKind.SEMINAR_REFUSAL, "R-SAN-10", Duration.TEMPORARY_OR_PERMANENT),
        CatalogueEntry(SanctionKind.EVENT_COMPENSATION_REFUSAL, "R-SAN-10", Duration.TEMPORARY_OR_PERMANENT),
    )
}


@dataclass(frozen=True)
class SanctionParameters:
    """Kind-specific details the enforcing service acts on (empty where not applicable)."""

    target_tier: Tier | None = None
    competency_codes: tuple[str, ...] = ()
    nfr_key_ids: tuple[str, ...] = ()

    def given(self) -> frozenset[Parameter]:
        present: set[Parameter] = set()
        if self.target_tier is not None:
            present.add(Parameter.TARGET_TIER)
        if self.competency_codes:
            present.add(Parameter.COMPETENCY_CODES)
        if self.nfr_key_ids:
            present.add(Parameter.NFR_KEY_IDS)
        return frozenset(present)


@dataclass(frozen=True)
class SanctionTerms:
    """What staff ask for: a kind, a period and its parameters."""

    kind: SanctionKind
    start_date: date
    end_date: date | None = None
    parameters: SanctionParameters = SanctionParameters()
    # Staff chose "until lifted" explicitly (no end date): only where the kind allows it.
    until_lifted: bool = False


def resolve_terms(terms: SanctionTerms, policy: ProgramPolicy) -> SanctionTerms:
    """The terms as applied: a downgrade with no end and no explicit "until lifted" runs
    for the policy's default term from its start (R-SAN-02)."""
    entry = CATALOGUE[terms.kind]
    if entry.duration is Duration.TERM_OR_EXPLICITLY_UNTIL_LIFTED and terms.end_date is None and not terms.until_lifted:
        months = policy.sanctions.downgrade_default_months
        return replace(terms, end_date=add_months(terms.start_date, months))
    return terms


def validate_terms(terms: SanctionTerms, *, violation_type: ViolationType, policy: ProgramPolicy) -> None:
    """Refuse terms the catalogue does not allow, naming the field and the rule (R-SAN-01..10)."""
    terms = resolve_terms(terms, policy)
    entry = CATALOGUE[terms.kind]
    _check_duration(terms, entry)
    if entry.capped_by_max_block:
        _check_block_cap(terms, entry, policy)
    if terms.kind is SanctionKind.PUBLIC_LIST_EXCLUSION and violation_type is ViolationType.DUMPING:
        _check_dumping_exclusion(terms, policy)
    _check_parameters(terms, entry, policy)


def _check_duration(terms: SanctionTerms, entry: CatalogueEntry) -> None:
    if terms.until_lifted and terms.end_date is not None:
        raise InvalidArgument.for_field(
            "sanction.until_lifted",
            "either an end date or until lifted, not both",
            reason="SANCTION_END_AND_UNTIL_LIFTED",
            rule=entry.rule,
        )
    if terms.until_lifted and entry.duration is Duration.TEMPORARY:
        raise InvalidArgument.for_field(
            "sanction.until_lifted",
            f"{terms.kind} is temporary and needs an end date",
            reason="SANCTION_END_REQUIRED",
            rule=entry.rule,
        )
    if terms.end_date is None and entry.duration is Duration.TERM_OR_EXPLICITLY_UNTIL_LIFTED and not terms.until_lifted:
        raise InvalidArgument.for_field(
            "sanction.end_date",
            f"{terms.kind} needs an end date or an explicit until_lifted (R-SAN-02)",
            reason="SANCTION_END_REQUIRED",
            rule=entry.rule,
        )
    if terms.end_date is None:
        if entry.duration is Duration.TEMPORARY:
            raise InvalidArgument.for_field(
                "sanction.end_date",
                f"{terms.kind} is temporary and needs an end date",
                reason="SANCTION_END_REQUIRED",
                rule=entry.rule,
            )
        return
    if entry.duration is Duration.NO_END:
        raise InvalidArgument.for_field(
            "sanction.end_date",
            f"{terms.kind} has no end date (it stands until lifted)",
            reason="SANCTION_END_NOT_ALLOWED",
            rule=entry.rule,
        )
    if terms.end_date <= terms.start_date:
        raise InvalidArgument.for_field(
            "sanction.end_date", "must be after start_date", reason="SANCTION_END_BEFORE_START", rule="R-SAN-01"
        )


def _check_block_cap(terms: SanctionTerms, entry: CatalogueEntry, policy: ProgramPolicy) -> None:
    # R-SAN-07: "up to 12 months": a block from the 1st ending on the same day 12 months
    # later is allowed; one day more is invalid input.
    assert terms.end_date is not None  # TEMPORARY, checked above
    months = policy.sanctions.max_block_months
    latest_end = add_months(terms.start_date, months)
    if terms.end_date > latest_end:
        raise InvalidArgument.for_field(
            "sanction.end_date",
            f"a {terms.kind} lasts at most {months} months: end by {latest_end.isoformat()}",
            reason="SANCTION_BLOCK_TOO_LONG",
            rule=entry.rule,
        )


def _check_dumping_exclusion(terms: SanctionTerms, policy: ProgramPolicy) -> None:
    # R-SAN-05, section 8.3: for dumping, the list exclusion is exactly 3 or 6 months.
    allowed = policy.sanctions.dumping_exclusion_months
    allowed_ends = {add_months(terms.start_date, months) for months in allowed}
    if terms.end_date not in allowed_ends:
        choices = " or ".join(str(m) for m in allowed)
        raise InvalidArgument.for_field(
            "sanction.end_date",
            f"a dumping list exclusion lasts exactly {choices} months from start_date",
            reason="DUMPING_EXCLUSION_PERIOD",
            rule="R-SAN-05",
        )


def _check_parameters(terms: SanctionTerms, entry: CatalogueEntry, policy: ProgramPolicy) -> None:
    given = terms.parameters.given()
    missing = entry.required - given
    if missing:
        name = sorted(missing)[0].lower()
        raise InvalidArgument.for_field(
            f"sanction.parameters.{name}",
            f"{terms.kind} needs it",
            reason="SANCTION_PARAMETER_REQUIRED",
            rule=entry.rule,
        )
    unexpected = given - entry.required - entry.optional
    if unexpected:
        name = sorted(unexpected)[0].lower()
        raise InvalidArgument.for_field(
            f"sanction.parameters.{name}",
            f"does not apply to {terms.kind}",
            reason="SANCTION_PARAMETER_NOT_APPLICABLE",
            rule=entry.rule,
        )
    if terms.parameters.target_tier is Tier.GOLD:
        raise InvalidArgument.for_field(
            "sanction.parameters.target_tier",
            "GOLD is the top status, not a downgrade target",
            reason="DOWNGRADE_TARGET_INVALID",
            rule="R-SAN-02",
        )
    for index, code in enumerate(terms.parameters.competency_codes):
        if policy.competency(code) is None:
            raise InvalidArgument.for_field(
                f"sanction.parameters.competency_codes[{index}]",
                f"unknown competency {code}",
                reason="COMPETENCY_UNKNOWN",
                rule="R-SAN-02",
            )
