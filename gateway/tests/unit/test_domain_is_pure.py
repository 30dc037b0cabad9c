from __future__ import annotations

from pathlib import Path

import gateway_service.domain as domain_package
from ppcore.testing.purity import assert_package_imports_only

ALLOWED_THIRD_PARTY = ("ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy", "ppcore.cities")
OWN_PACKAGE = "gateway_service.domain"


def test_domain_is_pure():
    """ARCHITECTURE: the domain imports only stdlib and ppcore errors, clock, calendar and policy."""
    package_dir = Path(domain_package.__file__).parent
    assert_package_imports_only(package_dir, OWN_PACKAGE, ALLOWED_THIRD_PARTY)
