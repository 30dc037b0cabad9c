"""The status service over gRPC, as the licensing use cases need it (PartnerFactsPort)."""

from __future__ import annotations

import grpc

from licensing_service.service_layer.ports import PartnerFacts
from partnerprogram.status.v1 import status_service_pb2 as pb
from partnerprogram.status.v1 import status_service_pb2_grpc as pb_grpc
from ppcore.errors import Unavailable


class StatusClient:
    def __init__(self, channel: grpc.aio.Channel, *, deadline_seconds: float) -> None:
        self._stub = pb_grpc.StatusServiceStub(channel)
        self._deadline = deadline_seconds

    async def partner_facts(self, partner_id: str, course_codes: tuple[str, ...]) -> PartnerFacts:
        try:
            reply: pb.GetPartnerFactsResponse = await self._stub.GetPartnerFacts(
                pb.GetPartnerFactsRequest(partner_id=partner_id, course_codes=list(course_codes)),
                timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as error:
            # The caller may retry with the same request_id.
            raise Unavailable(
                reason="STATUS_SERVICE_UNAVAILABLE",
                message=f"partner_id: the status service could not be asked ({error.code().name}); retry later",
                rule="R-NFR-04",
            ) from error
        return PartnerFacts(
            exists=reply.exists,
            terminated=reply.terminated,
            contract_accepted=reply.contract_accepted,
            certified_employees=reply.certified_employee_count,
        )
