"""Every RPC enforces authentication and its access table."""

from __future__ import annotations

import pytest
from status_api_support import StatusApi

from partnerprogram.status.v1 import status_service_pb2
from ppcore.testing.grpc import assert_auth_enforced
from ppcore.testing.plugin import Tokens
from status_service.entrypoints.access import ACCESS

pytestmark = [pytest.mark.postgres, pytest.mark.nats]


async def test_every_rpc_enforces_auth(api: StatusApi, tokens: Tokens) -> None:
    service = status_service_pb2.DESCRIPTOR.services_by_name["StatusService"]
    await assert_auth_enforced(api.channel, service, ACCESS, tokens)
