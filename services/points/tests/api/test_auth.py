"""Every PointsService RPC refuses missing, forged and expired tokens and callers the access table does not allow."""

from __future__ import annotations

import pytest

from partnerprogram.points.v1 import points_service_pb2
from points_service.entrypoints.access import ACCESS
from ppcore.testing.grpc import assert_auth_enforced

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_every_rpc_enforces_authentication_and_access(points, tokens):
    """R-EMP-01..04: partner users only with their roles; staff-only moderation; deny by default."""
    await assert_auth_enforced(
        points.channel, points_service_pb2.DESCRIPTOR.services_by_name["PointsService"], ACCESS, tokens
    )
