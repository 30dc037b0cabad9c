"""Every LicensingService RPC refuses missing, forged and expired tokens and callers its access table does not allow."""

import pytest

from licensing_service.entrypoints.access import ACCESS
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from ppcore.testing.grpc import assert_auth_enforced

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_auth_is_enforced_on_every_rpc(licensing, tokens):
    await assert_auth_enforced(licensing.channel, pb.DESCRIPTOR.services_by_name["LicensingService"], ACCESS, tokens)
