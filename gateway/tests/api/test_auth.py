"""Every GatewayService RPC refuses missing, forged and expired tokens and callers its access table does not allow."""

import pytest

from gateway_service.entrypoints.access import ACCESS
from partnerprogram.gateway.v1 import gateway_service_pb2 as pb
from ppcore.testing.grpc import assert_auth_enforced

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_auth_is_enforced_on_every_rpc(gateway, tokens):
    """R-EMP-03: LIMITED and certified specialists may not open the cabinet; the directory is public."""
    await assert_auth_enforced(gateway.channel, pb.DESCRIPTOR.services_by_name["GatewayService"], ACCESS, tokens)
