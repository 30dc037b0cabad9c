from __future__ import annotations

from pathlib import Path

import licensing_service.domain as domain_package
from ppcore.testing.purity import assert_package_imports_only

ALLOWED_PPCORE = ("ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy")
OWN_PACKAGE = "licensing_service.domain"


def test_domain_is_pure():
    """ARCHITECTURE: the domain imports only stdlib and ppcore errors, clock, calendar and policy."""
    assert_package_imports_only(Path(domain_package.__file__).parent, OWN_PACKAGE, ALLOWED_PPCORE)
