"""Shared fixtures for the status domain tests: the real policy file and an approved partner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from ppcore.policy import ProgramPolicy, load_policy
from status_service.domain.application import ApplicantData, submit_application
from status_service.domain.enums import Activity, LegalForm
from status_service.domain.lifecycle import approve_application
from status_service.domain.partner import Partner

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(scope="session")
def policy() -> ProgramPolicy:
    return load_policy()


def _applicant(**overrides: object) -> ApplicantData:
    values: dict[str, object] = {
        "legal_form": LegalForm.LEGAL_ENTITY,
        "company_name": "Webstudio LLC",
        "city": "Lviv",
        "contact_name": "Olena",
        "contact_email": "olena@example.ua",
        "contact_phone": "+380 44 123 4567",
        "activities": frozenset({Activity.WEB_PROJECTS}),
        "applicant_login": "olena",
        "personal_data_consent": True,
    }
    values.update(overrides)
    return ApplicantData(**values)  # type: ignore[arg-type]


@pytest.fixture
def applicant() -> Callable[..., ApplicantData]:
    """A valid questionnaire, with keyword overrides."""
    return _applicant


@pytest.fixture
def make_partner(policy: ProgramPolicy) -> Callable[..., Partner]:
    def build(partner_id: str = "p1", now: datetime = T0, **overrides: object) -> Partner:
        application = submit_application(f"a-{partner_id}", _applicant(**overrides), now)
        _, partner = approve_application(application, partner_id, now, policy)
        partner.events.clear()
        return partner

    return build
