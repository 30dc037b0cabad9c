"""Each of the five processes serves health SERVING and lists its service by reflection."""

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

pytestmark = [pytest.mark.nats]

EXPECTED = {
    "status": "partnerprogram.status.v1.StatusService",
    "points": "partnerprogram.points.v1.PointsService",
    "licensing": "partnerprogram.licensing.v1.LicensingService",
    "compliance": "partnerprogram.compliance.v1.ComplianceService",
    "gateway": "partnerprogram.gateway.v1.GatewayService",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_process_is_serving_and_reflects_its_service(suite, name):
    async with grpc.aio.insecure_channel(suite.address(name)) as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING

        async def ask():
            yield reflection_pb2.ServerReflectionRequest(list_services="")

        names = []
        async for reply in reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(ask(), timeout=5):
            names = [s.name for s in reply.list_services_response.service]
        assert EXPECTED[name] in names
