"""The key registry port over gRPC: the licensing service's VerifyKey (R-PRJ-04, R-NFR-10)."""

from __future__ import annotations

import grpc

from partnerprogram.licensing.v1 import license_key_pb2, licensing_service_pb2, licensing_service_pb2_grpc
from points_service.domain.keys import KeyFacts
from ppcore.errors import Unavailable

_Reason = license_key_pb2.VerifyReason
# Reasons that mean the registry does not hold a usable key at all. An expired key still
# describes a site that was built on it, so it is judged on its other facts.
_NOT_IN_REGISTRY = (_Reason.VERIFY_REASON_MALFORMED, _Reason.VERIFY_REASON_UNKNOWN, _Reason.VERIFY_REASON_REVOKED)


def facts_from_verdict(license_key: str, verdict: license_key_pb2.KeyVerdict) -> KeyFacts:
    if verdict.reason in _NOT_IN_REGISTRY:
        return KeyFacts.unknown(license_key)
    return KeyFacts(
        license_key=verdict.key or license_key,
        found=True,
        is_demo=verdict.demo or verdict.reason == _Reason.VERIFY_REASON_DEMO,
        is_activated=verdict.activated,
        # NFR keys belong to partners; a commercial key is a client's. Its owner's details are for the
        # moderator (R-PRJ-04), except a key registered to the submitting partner itself.
        registered_to_client=verdict.kind == license_key_pb2.KEY_KIND_COMMERCIAL,
        owner_id=verdict.owner_id,
        edition_code=verdict.edition or None,
    )


class GrpcKeyRegistry:
    def __init__(self, channel: grpc.aio.Channel, *, deadline_seconds: float = 3.0) -> None:
        self._stub = licensing_service_pb2_grpc.LicensingServiceStub(channel)
        self._deadline = deadline_seconds

    async def facts(self, license_key: str) -> KeyFacts:
        try:
            response = await self._stub.VerifyKey(
                licensing_service_pb2.VerifyKeyRequest(key=license_key), timeout=self._deadline
            )
        except grpc.aio.AioRpcError as error:
            # Nothing was written yet: the caller may retry with the same request_id.
            raise Unavailable(
                reason="LICENSING_SERVICE_UNAVAILABLE",
                message=f"license_key: the licensing service could not verify the key ({error.code().name}); retry later",
                rule="R-PRJ-04",
            ) from error
        return facts_from_verdict(license_key, response.verdict)
