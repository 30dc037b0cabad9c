"""The LicensingService gRPC adapter: request -> use case -> response.

Writes go through ``run_idempotent`` (one transaction, the stored answer for a retried
request_id); domain refusals are mapped to status codes by ppcore's interceptor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from google.protobuf.message import Message

from licensing_service.adapters.key_registry import KeyFactsReader
from licensing_service.adapters.uow import LicensingUnitOfWork
from licensing_service.domain import EditionCatalogue
from licensing_service.entrypoints import mapping as m
from licensing_service.service_layer import nfr_requests, queries, registry, renewals, revocation
from licensing_service.service_layer.context import Toolkit
from licensing_service.service_layer.ports import PartnerFactsPort
from partnerprogram.licensing.v1 import licensing_service_pb2 as pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from ppcore.auth import current_caller, require_partner_scope
from ppcore.clock import kyiv_date
from ppcore.idempotency import run_idempotent
from ppcore.paging import keyset_page, keyset_window, next_page_token

R = TypeVar("R", bound=Message)
# The view's one page of keys: more than every grant a partner can hold at once.
_SNAPSHOT_KEYS = 100
UowFactory = Callable[[], LicensingUnitOfWork]


class LicensingServicer(pb_grpc.LicensingServiceServicer):
    def __init__(
        self, uow_factory: UowFactory, tools: Toolkit, key_reader: KeyFactsReader, status: PartnerFactsPort
    ) -> None:
        self._uow = uow_factory
        self._tools = tools
        self._keys = key_reader
        self._status = status

    async def _write(
        self, method: str, request: Message, response_type: type[R], work: Callable[[LicensingUnitOfWork], Awaitable[R]]
    ) -> R:
        return await run_idempotent(self._uow, method, request, response_type, work)

    # --- the hot path -----------------------------------------------------------------
    async def VerifyKey(self, request: pb.VerifyKeyRequest, context: Any) -> pb.VerifyKeyResponse:
        today = kyiv_date(self._tools.clock.now())
        verdict = await registry.verify(
            self._keys.facts,
            request.key,
            today,
            request.expected_owner_id,
            self._tools.policies.on(today).license_keys.vendor_key_regex,
        )
        return pb.VerifyKeyResponse(verdict=m.verdict_to_proto(verdict))

    # --- catalogue and registry -----------------------------------------------------------
    async def ListEditions(self, request: pb.ListEditionsRequest, context: Any) -> pb.ListEditionsResponse:
        editions = EditionCatalogue(self._tools.policy.editions).all()
        offset, limit = m.page(request.page_size, request.page_token)
        chunk = editions[offset : offset + limit]
        return pb.ListEditionsResponse(
            editions=[m.edition_to_proto(e) for e in chunk],
            next_page_token=m.next_token(offset, limit, len(chunk), len(editions)),
            policy_version=self._tools.policy.version,
        )

    async def RegisterLicenseKey(
        self, request: pb.RegisterLicenseKeyRequest, context: Any
    ) -> pb.RegisterLicenseKeyResponse:
        valid_until = m.parse_date(request.valid_until_date, "valid_until_date")

        async def work(uow: LicensingUnitOfWork) -> pb.RegisterLicenseKeyResponse:
            key = await registry.register_license_key(
                uow,
                self._tools,
                key_text=request.key,
                edition=request.edition,
                owner_client_id=request.owner_client_id,
                activated=request.activated,
                demo=request.demo,
                valid_until=valid_until,
            )
            return pb.RegisterLicenseKeyResponse(license_key=m.commercial_key_to_proto(key))

        return await self._write("RegisterLicenseKey", request, pb.RegisterLicenseKeyResponse, work)

    # --- queries --------------------------------------------------------------------------
    async def GetNfrGrant(self, request: pb.GetNfrGrantRequest, context: Any) -> pb.GetNfrGrantResponse:
        async with self._uow() as uow:
            grant = await queries.get_grant(uow, request.grant_id)
        require_partner_scope(current_caller(), grant.partner_id)
        return pb.GetNfrGrantResponse(grant=m.grant_to_proto(grant, with_history=True))

    async def ListPartnerKeys(self, request: pb.ListPartnerKeysRequest, context: Any) -> pb.ListPartnerKeysResponse:
        require_partner_scope(current_caller(), request.partner_id)
        after, limit = keyset_window(request.page_size, request.page_token, (date, str))
        async with self._uow() as uow:
            found = await queries.partner_grants(
                uow,
                request.partner_id,
                active_only=not request.include_inactive,
                after=(after[0], after[1]) if after else None,
                limit=limit + 1,
            )
        grants, token = keyset_page(found, limit, lambda g: (g.issued_on, g.grant_id))
        return pb.ListPartnerKeysResponse(grants=[m.grant_to_proto(g) for g in grants], next_page_token=token)

    async def GetCloudNfr(self, request: pb.GetCloudNfrRequest, context: Any) -> pb.GetCloudNfrResponse:
        require_partner_scope(current_caller(), request.partner_id)
        async with self._uow() as uow:
            cloud = await queries.get_cloud_nfr(uow, request.partner_id)
        return pb.GetCloudNfrResponse(cloud_nfr=m.cloud_to_proto(cloud))

    async def GetPartnerNfrSnapshot(
        self, request: pb.GetPartnerNfrSnapshotRequest, context: Any
    ) -> pb.GetPartnerNfrSnapshotResponse:
        """The partner view's NFR section from one portfolio read (R-CARD-04)."""
        async with self._uow() as uow:
            portfolio = await queries.partner_portfolio(uow, request.partner_id)
        grants = list(portfolio.active_grants())[:_SNAPSHOT_KEYS]
        answer = pb.GetPartnerNfrSnapshotResponse(grants=[m.grant_to_proto(g) for g in grants])
        if portfolio.cloud is not None:
            answer.cloud_nfr.CopyFrom(m.cloud_to_proto(portfolio.cloud))
        return answer

    async def ListExpiringKeys(self, request: pb.ListExpiringKeysRequest, context: Any) -> pb.ListExpiringKeysResponse:
        today = m.parse_date(request.as_of_date, "as_of_date") or self._tools.today()
        after, limit = keyset_window(request.page_size, request.page_token, (date, str))
        async with self._uow() as uow:
            found = await queries.expiring_grants(
                uow,
                today=today,
                within_days=request.within_days,
                after=(after[0], after[1]) if after else None,
                limit=limit + 1,
            )
        grants, token = keyset_page(found, limit, lambda g: (g.valid_until, g.grant_id))
        return pb.ListExpiringKeysResponse(grants=[m.grant_to_proto(g) for g in grants], next_page_token=token)

    # --- partner requests -----------------------------------------------------------------
    async def RequestOnRequestKey(
        self, request: pb.RequestOnRequestKeyRequest, context: Any
    ) -> pb.RequestOnRequestKeyResponse:
        require_partner_scope(current_caller(), request.partner_id)
        topic = m.site_topic_from_proto(request.site_topic)
        checklist = m.checklist_from_proto(request.checklist)

        async def work(uow: LicensingUnitOfWork) -> pb.RequestOnRequestKeyResponse:
            key_request = await nfr_requests.request_on_request_key(
                uow,
                self._tools,
                self._status,
                partner_id=request.partner_id,
                site_url=request.site_url,
                edition=request.edition,
                site_on_product=request.site_on_product,
                checklist=checklist,
                original_design=request.original_design,
                site_topic=topic,
            )
            return pb.RequestOnRequestKeyResponse(key_request=m.key_request_to_proto(key_request))

        return await self._write("RequestOnRequestKey", request, pb.RequestOnRequestKeyResponse, work)

    async def ListOnRequestKeyRequests(
        self, request: pb.ListOnRequestKeyRequestsRequest, context: Any
    ) -> pb.ListOnRequestKeyRequestsResponse:
        state = m.key_request_state_from_proto(request.state)
        offset, limit = m.page(request.page_size, request.page_token)
        async with self._uow() as uow:
            found = await nfr_requests.list_key_requests(uow, state, offset, limit + 1)
        return pb.ListOnRequestKeyRequestsResponse(
            key_requests=[m.key_request_to_proto(r) for r in found[:limit]],
            next_page_token=next_page_token(offset, limit, len(found) > limit),
        )

    async def ApproveOnRequestKey(
        self, request: pb.ApproveOnRequestKeyRequest, context: Any
    ) -> pb.ApproveOnRequestKeyResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.ApproveOnRequestKeyResponse:
            key_request, grant = await nfr_requests.approve_on_request_key(
                uow,
                self._tools,
                self._status,
                key_request_id=request.key_request_id,
                staff=current_caller().subject,
                note=request.note,
            )
            return pb.ApproveOnRequestKeyResponse(
                key_request=m.key_request_to_proto(key_request), grant=m.grant_to_proto(grant, with_history=True)
            )

        return await self._write("ApproveOnRequestKey", request, pb.ApproveOnRequestKeyResponse, work)

    async def RejectOnRequestKey(
        self, request: pb.RejectOnRequestKeyRequest, context: Any
    ) -> pb.RejectOnRequestKeyResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.RejectOnRequestKeyResponse:
            key_request = await nfr_requests.reject_on_request_key(
                uow,
                self._tools,
                key_request_id=request.key_request_id,
                staff=current_caller().subject,
                reason=request.reason,
            )
            return pb.RejectOnRequestKeyResponse(key_request=m.key_request_to_proto(key_request))

        return await self._write("RejectOnRequestKey", request, pb.RejectOnRequestKeyResponse, work)

    async def RecordSiteCheck(self, request: pb.RecordSiteCheckRequest, context: Any) -> pb.RecordSiteCheckResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.RecordSiteCheckResponse:
            grant = await nfr_requests.record_site_check(
                uow,
                self._tools,
                grant_id=request.grant_id,
                holds=request.requirements_hold,
                staff=current_caller().subject,
                note=request.note,
            )
            return pb.RecordSiteCheckResponse(grant=m.grant_to_proto(grant, with_history=True))

        return await self._write("RecordSiteCheck", request, pb.RecordSiteCheckResponse, work)

    async def RequestEditionChange(
        self, request: pb.RequestEditionChangeRequest, context: Any
    ) -> pb.RequestEditionChangeResponse:
        require_partner_scope(current_caller(), request.partner_id)

        async def work(uow: LicensingUnitOfWork) -> pb.RequestEditionChangeResponse:
            change = await nfr_requests.request_edition_change(
                uow,
                self._tools,
                partner_id=request.partner_id,
                grant_id=request.grant_id,
                to_edition=request.to_edition,
            )
            return pb.RequestEditionChangeResponse(change_request=m.change_request_to_proto(change))

        return await self._write("RequestEditionChange", request, pb.RequestEditionChangeResponse, work)

    async def ApproveEditionChange(
        self, request: pb.ApproveEditionChangeRequest, context: Any
    ) -> pb.ApproveEditionChangeResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.ApproveEditionChangeResponse:
            change, grant = await nfr_requests.approve_edition_change(
                uow, self._tools, change_request_id=request.change_request_id, note=request.note
            )
            return pb.ApproveEditionChangeResponse(
                change_request=m.change_request_to_proto(change), grant=m.grant_to_proto(grant, with_history=True)
            )

        return await self._write("ApproveEditionChange", request, pb.ApproveEditionChangeResponse, work)

    async def RejectEditionChange(
        self, request: pb.RejectEditionChangeRequest, context: Any
    ) -> pb.RejectEditionChangeResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.RejectEditionChangeResponse:
            change = await nfr_requests.reject_edition_change(
                uow, self._tools, change_request_id=request.change_request_id, note=request.note
            )
            return pb.RejectEditionChangeResponse(change_request=m.change_request_to_proto(change))

        return await self._write("RejectEditionChange", request, pb.RejectEditionChangeResponse, work)

    async def IssueCloudNfr(self, request: pb.IssueCloudNfrRequest, context: Any) -> pb.IssueCloudNfrResponse:
        require_partner_scope(current_caller(), request.partner_id)

        async def work(uow: LicensingUnitOfWork) -> pb.IssueCloudNfrResponse:
            cloud = await nfr_requests.issue_cloud_nfr(
                uow, self._tools, partner_id=request.partner_id, portal_domain=request.portal_domain
            )
            return pb.IssueCloudNfrResponse(cloud_nfr=m.cloud_to_proto(cloud))

        return await self._write("IssueCloudNfr", request, pb.IssueCloudNfrResponse, work)

    # --- staff corrections ------------------------------------------------------------------
    async def RevokeKey(self, request: pb.RevokeKeyRequest, context: Any) -> pb.RevokeKeyResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.RevokeKeyResponse:
            grant = await revocation.revoke_key(uow, self._tools, grant_id=request.grant_id, reason=request.reason)
            return pb.RevokeKeyResponse(grant=m.grant_to_proto(grant, with_history=True))

        return await self._write("RevokeKey", request, pb.RevokeKeyResponse, work)

    async def RestoreGrant(self, request: pb.RestoreGrantRequest, context: Any) -> pb.RestoreGrantResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.RestoreGrantResponse:
            grant = await revocation.restore_grant(uow, self._tools, grant_id=request.grant_id, reason=request.reason)
            return pb.RestoreGrantResponse(grant=m.grant_to_proto(grant, with_history=True))

        return await self._write("RestoreGrant", request, pb.RestoreGrantResponse, work)

    async def RestoreCloudNfr(self, request: pb.RestoreCloudNfrRequest, context: Any) -> pb.RestoreCloudNfrResponse:
        async def work(uow: LicensingUnitOfWork) -> pb.RestoreCloudNfrResponse:
            cloud = await revocation.restore_cloud_nfr(
                uow, self._tools, partner_id=request.partner_id, reason=request.reason
            )
            return pb.RestoreCloudNfrResponse(cloud_nfr=m.cloud_to_proto(cloud))

        return await self._write("RestoreCloudNfr", request, pb.RestoreCloudNfrResponse, work)

    # --- the yearly job (a CronJob calls this; embedded runs use the DailyScheduler) ---------
    async def RunYearlyRenewals(
        self, request: pb.RunYearlyRenewalsRequest, context: Any
    ) -> pb.RunYearlyRenewalsResponse:
        run_date = m.parse_date(request.run_date, "run_date") or self._tools.today()

        async def work(uow: LicensingUnitOfWork) -> pb.RunYearlyRenewalsResponse:
            counts = await renewals.run_yearly_renewals(uow, self._tools, run_date)
            return pb.RunYearlyRenewalsResponse(
                keys_renewed=counts.keys_renewed,
                keys_lapsed=counts.keys_lapsed,
                cloud_nfrs_renewed=counts.cloud_nfrs_renewed,
                cloud_nfrs_downgraded=counts.cloud_nfrs_downgraded,
            )

        return await self._write("RunYearlyRenewals", request, pb.RunYearlyRenewalsResponse, work)
