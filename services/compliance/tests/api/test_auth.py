"""Every RPC of ComplianceService enforces its access table over real gRPC."""

import pytest

from compliance_service.entrypoints.access import ACCESS
from partnerprogram.compliance.v1.compliance_service_pb2 import DESCRIPTOR
from ppcore.testing.grpc import assert_auth_enforced

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_every_rpc_enforces_its_access_table(compliance, tokens):
    """R-PD-01 (personal data staff-only), R-EMP-03/04 (limited roles see no cases), R-SAN-06 (public list)."""
    await assert_auth_enforced(compliance.channel, DESCRIPTOR.services_by_name["ComplianceService"], ACCESS, tokens)
