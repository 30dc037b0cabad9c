"""The domain package imports nothing but the standard library and the allowed ppcore modules."""

from __future__ import annotations

from pathlib import Path

from ppcore.testing.purity import assert_package_imports_only

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "compliance_service" / "domain"
ALLOWED_PPCORE = ("ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy", "ppcore.personal_data")


def test_domain_is_pure() -> None:
    """ARCHITECTURE: domain imports only stdlib and ppcore.errors/clock/calendar/policy/personal_data."""
    assert_package_imports_only(DOMAIN, "compliance_service.domain", ALLOWED_PPCORE)
