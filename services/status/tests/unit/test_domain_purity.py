"""The domain package imports only the standard library and the allowed ppcore modules."""

from __future__ import annotations

from pathlib import Path

import status_service.domain
from ppcore.testing.purity import assert_package_imports_only

ALLOWED_PPCORE = (
    "ppcore.errors",
    "ppcore.clock",
    "ppcore.calendar",
    "ppcore.policy",
    "ppcore.personal_data",
    "ppcore.cities",
    "ppcore.purchase",
)


def test_domain_is_pure() -> None:
    """Architecture: the domain never imports SQLAlchemy, grpc, nats or generated protos."""
    package_dir = Path(status_service.domain.__file__).parent
    assert_package_imports_only(package_dir, "status_service.domain", ALLOWED_PPCORE)
