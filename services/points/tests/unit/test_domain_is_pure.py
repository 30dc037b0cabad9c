from pathlib import Path

from ppcore.testing.purity import assert_package_imports_only

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "points_service" / "domain"
ALLOWED_PPCORE = ("ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy", "ppcore.personal_data")


def test_domain_is_pure():
    """The domain imports only the stdlib and ppcore's errors, clock, calendar, policy and personal_data (ARCHITECTURE)."""
    assert_package_imports_only(DOMAIN, "points_service.domain", ALLOWED_PPCORE)
