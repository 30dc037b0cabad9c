"""The versioned program policy (R-POL-01).

One YAML file holds every *policy* value of RULES.md. It is loaded and validated once
at process start (an invalid file stops the process with the offending field named)
and passed down to use cases; decisions record ``policy.version``. The models are
frozen: code reads the policy, never changes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ppcore.calendar import BusinessCalendar

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[4] / "policy" / "program-policy.yaml"


class Tier(StrEnum):
    """Partner status tiers in ascending order (R-STS-01)."""

    BUSINESS = "BUSINESS"
    CERTIFIED = "CERTIFIED"
    GOLD = "GOLD"

    @property
    def rank(self) -> int:
        return _TIER_ORDER[self]


_TIER_ORDER = {Tier.BUSINESS: 0, Tier.CERTIFIED: 1, Tier.GOLD: 2}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class MartialLawPolicy(_Frozen):
    """R-POL-02: while martial law is in force, Ukrainian public holidays are working days.

    On by default: martial law is in force since 2022-02-24 and the holiday days off are
    suspended for its duration. ``end_date`` (exclusive) is the day it ends; None while it runs.
    """

    holidays_are_working_days: bool = True
    start_date: date = date(2022, 2, 24)
    end_date: date | None = None

    @model_validator(mode="after")
    def _period(self) -> MartialLawPolicy:
        if self.end_date is not None and self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class CalendarPolicy(_Frozen):
    timezone: Literal["Europe/Kyiv"]
    holidays: tuple[date, ...]
    martial_law: MartialLawPolicy = MartialLawPolicy()


class DeadlinesPolicy(_Frozen):
    application_review_days: PositiveInt
    project_review_days: PositiveInt
    point_request_review_days: PositiveInt
    violation_appeal_window_days: PositiveInt
    pd_legal_basis_days: PositiveInt
    pd_stop_processing_days: PositiveInt
    pd_complaint_forward_days: PositiveInt
    termination_notice_months: PositiveInt


class Course(_Frozen):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str


class BusinessTierPolicy(_Frozen):
    discount_percent: Annotated[int, Field(ge=0, le=100)]


class CertifiedTierPolicy(BusinessTierPolicy):
    min_active_points: NonNegativeInt
    min_certified_employees: NonNegativeInt
    required_courses: tuple[str, ...] | Literal["all"]


class GoldTierPolicy(CertifiedTierPolicy):
    # R-STS-03: None (the default) counts monitored projects ever; a number of months makes
    # participation a trailing window, an option the program office may turn on.
    monitoring_window_months: PositiveInt | None = None
    min_monitored_projects: NonNegativeInt


class StatusesPolicy(_Frozen):
    business: BusinessTierPolicy
    certified: CertifiedTierPolicy
    gold: GoldTierPolicy
    validity_months: PositiveInt


class DiscountPolicy(_Frozen):
    eligible_product_families: tuple[str, ...]
    excluded_product_families: tuple[str, ...]
    # R-ENT-01: approval concludes the standard contract, so the discount applies from then;
    # on, the discount waits until the contract application is accepted (1.3 read that way).
    discount_only_after_contract_accepted: bool = False


class Edition(_Frozen):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    family: str
    price_uah: Decimal = Field(gt=0)
    points_value: NonNegativeInt
    sites_allowed: PositiveInt
    rank: PositiveInt


class MainPointsPolicy(_Frozen):
    # R-PRJ-04: the document gives no amount for a published project. KEY_EDITION (default):
    # the points value of the project key's edition, as monitoring (R-QM-04); FLAT: project_published.
    project_points_basis: Literal["KEY_EDITION", "FLAT"] = "KEY_EDITION"
    project_published: NonNegativeInt
    marketplace_module_published: NonNegativeInt
    composite_site_project: NonNegativeInt
    mobile_app_published: NonNegativeInt
    renewal_points_share_percent: Annotated[int, Field(ge=0, le=100)]
    upgrade_points_share_percent: Annotated[int, Field(ge=0, le=100)]


class PointsPolicy(_Frozen):
    validity_months: PositiveInt
    daily_total_time: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    main: MainPointsPolicy
    additional_categories: tuple[str, ...]
    # R-PTS-03: the category of event participation, whose requests record the notice of intent.
    event_category: str = "EVENT_PARTICIPATION"

    @property
    def daily_total_hour_minute(self) -> tuple[int, int]:
        hour, minute = self.daily_total_time.split(":")
        return int(hour), int(minute)


class OnRequestNfrPolicy(_Frozen):
    edition: str
    min_certified_employees: NonNegativeInt
    required_courses: tuple[str, ...]
    renewal_editions_multiplier: PositiveInt
    site_check_valid_months: PositiveInt


class CloudNfrPolicy(_Frozen):
    plan: str
    disk_gb: PositiveInt
    custom_domain: bool
    renewal_min_sales_uah: Decimal = Field(ge=0)
    fallback_plan: str
    # R-NFR-07: the cloud portal domains that qualify (no custom domain).
    portal_domain_suffixes: tuple[str, ...] = Field(min_length=1)

    @field_validator("portal_domain_suffixes")
    @classmethod
    def _suffixes_lower_case(cls, suffixes: tuple[str, ...]) -> tuple[str, ...]:
        for suffix in suffixes:
            if suffix != suffix.strip().lower().strip(".") or "." not in suffix:
                raise ValueError(f"{suffix!r} is not a lower-case domain suffix such as bitrix24.ua")
        return suffixes


class NfrPolicy(_Frozen):
    status_key_edition: str
    certified_keys: NonNegativeInt
    gold_extra_keys: NonNegativeInt
    key_validity_months: PositiveInt
    max_edition_changes: NonNegativeInt
    on_request: OnRequestNfrPolicy
    cloud: CloudNfrPolicy
    # R-NFR-06/08: the unit in which sales count toward the on-request key and cloud NFR renewals.
    # LIST (default): list (retail) prices, the unit of "the price of two editions" and of what end
    # users pay (8.1); PAID: what the partner paid the vendor, after its partner discount.
    sales_price_basis: Literal["LIST", "PAID"] = "LIST"


class UpgradePrice(_Frozen):
    from_edition: str
    to_edition: str
    price_uah: Decimal = Field(gt=0)


class CloudPlanPrice(_Frozen):
    plan: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    period_months: PositiveInt
    price_uah: Decimal = Field(gt=0)


class PriceListPolicy(_Frozen):
    """The published price of what is sold, beyond a new licence's edition price (R-PRC-01/02)."""

    renewals: dict[str, Annotated[Decimal, Field(gt=0)]]
    upgrades: tuple[UpgradePrice, ...]
    cloud_plans: tuple[CloudPlanPrice, ...]

    @model_validator(mode="after")
    def _items_unique(self) -> PriceListPolicy:
        priced: tuple[tuple[str, list[tuple[str, object]]], ...] = (
            ("upgrades", [(u.from_edition, u.to_edition) for u in self.upgrades]),
            ("cloud_plans", [(c.plan, c.period_months) for c in self.cloud_plans]),
        )
        for name, keys in priced:
            duplicates = sorted({k for k in keys if keys.count(k) > 1})
            if duplicates:
                raise ValueError(f"price_list.{name}: priced twice: {duplicates}")
        return self


class LicenseKeysPolicy(_Frozen):
    """Key formats the registry accepts besides the suite's own (R-NFR-10)."""

    vendor_key_pattern: str = Field(min_length=2)

    @field_validator("vendor_key_pattern")
    @classmethod
    def _pattern_compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return pattern

    @cached_property
    def vendor_key_regex(self) -> re.Pattern[str]:
        return re.compile(self.vendor_key_pattern)


class CompetencyPolicy(_Frozen):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    automatic: bool = False
    requires_status: Tier | None = None
    requires_competencies: tuple[str, ...] = ()


class RankingPolicy(_Frozen):
    projects: float
    monitored_projects: float
    marketing_activity: float
    certified_employees: float
    status: dict[Tier, float]
    active_points: float


class SanctionsPolicy(_Frozen):
    max_block_months: PositiveInt
    # R-SAN-02: the term of a status downgrade whose end staff did not state (the program's
    # yearly cycle); "until lifted" must be chosen explicitly.
    downgrade_default_months: PositiveInt = 12
    dumping_exclusion_months: tuple[PositiveInt, ...]
    dumping_incident_per_order: PositiveInt


class MysteryShopperPolicy(_Frozen):
    max_answer_wait_seconds: PositiveInt


class ProgramPolicy(_Frozen):
    version: str = Field(min_length=1)
    calendar: CalendarPolicy
    deadlines: DeadlinesPolicy
    courses: tuple[Course, ...] = Field(min_length=1)
    statuses: StatusesPolicy
    discount: DiscountPolicy
    editions: tuple[Edition, ...] = Field(min_length=1)
    points: PointsPolicy
    nfr: NfrPolicy
    price_list: PriceListPolicy
    license_keys: LicenseKeysPolicy
    competencies: tuple[CompetencyPolicy, ...]
    ranking: RankingPolicy
    sanctions: SanctionsPolicy
    mystery_shopper: MysteryShopperPolicy

    @field_validator("courses", "editions", "competencies")
    @classmethod
    def _codes_unique(cls, items: tuple[Course | Edition | CompetencyPolicy, ...]) -> tuple:  # type: ignore[type-arg]
        codes = [item.code for item in items]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"duplicate codes: {', '.join(duplicates)}")
        return items

    @model_validator(mode="after")
    def _references_resolve(self) -> ProgramPolicy:
        course_codes = {c.code for c in self.courses}
        edition_codes = {e.code for e in self.editions}
        competency_codes = {c.code for c in self.competencies}
        for tier_name, tier in (("certified", self.statuses.certified), ("gold", self.statuses.gold)):
            if tier.required_courses != "all":
                unknown = set(tier.required_courses) - course_codes
                if unknown:
                    raise ValueError(f"statuses.{tier_name}.required_courses: unknown courses {sorted(unknown)}")
        unknown = set(self.nfr.on_request.required_courses) - course_codes
        if unknown:
            raise ValueError(f"nfr.on_request.required_courses: unknown courses {sorted(unknown)}")
        for name, code in (
            ("nfr.status_key_edition", self.nfr.status_key_edition),
            ("nfr.on_request.edition", self.nfr.on_request.edition),
        ):
            if code not in edition_codes:
                raise ValueError(f"{name}: unknown edition {code}")
        self._check_price_list(edition_codes)
        for competency in self.competencies:
            unknown = set(competency.requires_competencies) - competency_codes
            if unknown:
                raise ValueError(f"competencies.{competency.code}.requires_competencies: unknown {sorted(unknown)}")
        if not (
            self.statuses.business.discount_percent
            <= self.statuses.certified.discount_percent
            <= self.statuses.gold.discount_percent
        ):
            raise ValueError("statuses: discounts must not decrease with the tier")
        if self.points.event_category not in self.points.additional_categories:
            raise ValueError(f"points.event_category: {self.points.event_category} is not an additional category")
        if self.statuses.certified.min_active_points > self.statuses.gold.min_active_points:
            raise ValueError("statuses: gold.min_active_points must be >= certified.min_active_points")
        return self

    def _check_price_list(self, edition_codes: set[str]) -> None:
        """Every edition has a renewal price; an upgrade goes up within one family (R-PRC-02)."""
        missing = sorted(edition_codes - set(self.price_list.renewals))
        unknown = sorted(set(self.price_list.renewals) - edition_codes)
        if missing or unknown:
            raise ValueError(f"price_list.renewals: editions without a price {missing}, unknown editions {unknown}")
        for upgrade in self.price_list.upgrades:
            source, target = self.edition(upgrade.from_edition), self.edition(upgrade.to_edition)
            if source is None or target is None:
                raise ValueError(
                    f"price_list.upgrades: unknown edition in {upgrade.from_edition} -> {upgrade.to_edition}"
                )
            if source.family != target.family or source.rank >= target.rank:
                raise ValueError(
                    f"price_list.upgrades: {upgrade.from_edition} -> {upgrade.to_edition} is not an upgrade within a family"
                )

    # --- convenient reads -------------------------------------------------------
    def business_calendar(self) -> BusinessCalendar:
        martial_law = self.calendar.martial_law
        worked = ((martial_law.start_date, martial_law.end_date),) if martial_law.holidays_are_working_days else ()
        return BusinessCalendar(self.calendar.holidays, holidays_worked=worked)

    def edition(self, code: str) -> Edition | None:
        for edition in self.editions:
            if edition.code == code:
                return edition
        return None

    def competency(self, code: str) -> CompetencyPolicy | None:
        for competency in self.competencies:
            if competency.code == code:
                return competency
        return None

    def course_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.courses)

    def required_courses(self, tier: Tier) -> frozenset[str]:
        """Courses an employee must hold to count as certified for ``tier``."""
        if tier is Tier.BUSINESS:
            return frozenset()
        tier_policy = self.statuses.certified if tier is Tier.CERTIFIED else self.statuses.gold
        if tier_policy.required_courses == "all":
            return frozenset(self.course_codes())
        return frozenset(tier_policy.required_courses)

    def status_nfr_keys(self, tier: Tier) -> int:
        """How many status NFR keys a tier entitles to (R-NFR-01): Certified's, plus Gold's extra ones."""
        if tier is Tier.BUSINESS:
            return 0
        return self.nfr.certified_keys + (self.nfr.gold_extra_keys if tier is Tier.GOLD else 0)

    def discount_percent(self, tier: Tier) -> int:
        return {
            Tier.BUSINESS: self.statuses.business.discount_percent,
            Tier.CERTIFIED: self.statuses.certified.discount_percent,
            Tier.GOLD: self.statuses.gold.discount_percent,
        }[tier]


def policy_on(base: ProgramPolicy, scheduled: Iterable[tuple[date, ProgramPolicy]], day: date) -> ProgramPolicy:
    """The version in force on ``day`` (R-POL-01): the latest effective on or before it; ``base``
    (the policy file) before any."""
    effective = [(d, p) for d, p in scheduled if d <= day]
    return max(effective, key=lambda e: e[0])[1] if effective else base


class PolicyError(Exception):
    """The policy file is missing or invalid; the message names the field.

    ``fields`` holds the dotted path of each offending field ("" for the document itself).
    """

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


def parse_policy(text: str, source: str = "policy document") -> ProgramPolicy:
    """Validate a policy document (YAML or JSON text) exactly as at start-up (R-POL-01)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source} is not valid YAML: {exc}", ("",)) from exc
    try:
        return ProgramPolicy.model_validate(raw)
    except ValidationError as exc:
        fields = tuple(".".join(str(p) for p in err["loc"]) for err in exc.errors())
        problems = "; ".join(
            f"{field or '<root>'}: {err['msg']}" for field, err in zip(fields, exc.errors(), strict=True)
        )
        raise PolicyError(f"invalid program policy {source}: {problems}", fields) from exc


def load_policy(path: Path | str | None = None) -> ProgramPolicy:
    policy_path = Path(path) if path else DEFAULT_POLICY_PATH
    try:
        text = policy_path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(f"policy file not found: {policy_path}") from exc
    return parse_policy(text, str(policy_path))
