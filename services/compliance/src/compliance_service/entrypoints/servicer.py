"""The gRPC servicer of ComplianceService: request -> use case -> response.

Writes go through ``run_idempotent`` (one transaction, the response stored under the
request id); reads open a unit of work and never commit. Domain refusals are raised,
never aborted here: the server maps them to status codes in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy.exc import IntegrityError

from compliance_service.adapters.proto_codec import (
    CASE_STATE,
    LEGAL_BASIS,
    MYSTERY_SHOPPER_KIND,
    PD_KIND,
    SALE_KIND,
    SANCTION_KIND,
    VIOLATION_TYPE,
    enum_from_proto,
    iso,
    parameters_from_proto,
)
from compliance_service.adapters.uow import ComplianceUnitOfWork
from compliance_service.domain.cases import CaseState
from compliance_service.domain.personal_data import PersonalDataRequestKind
from compliance_service.domain.pricing import SaleKind
from compliance_service.domain.sanction_catalogue import SanctionKind, SanctionTerms
from compliance_service.domain.violation_types import MysteryShopperKind, ViolationType
from compliance_service.entrypoints import mapping, paging
from compliance_service.service_layer import cases, personal_data, pricing, sanctions
from compliance_service.service_layer.deps import Deps, ScopeCheck
from partnerprogram.compliance.v1 import compliance_service_pb2 as pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as pb_grpc
from ppcore.auth import Caller, CallerKind, current_caller, require_partner_scope
from ppcore.clock import kyiv_date
from ppcore.errors import InvalidArgument
from ppcore.idempotency import run_idempotent
from ppcore.paging import keyset_page, keyset_window
from ppcore.personal_data import LegalBasis
from ppcore.scheduler import requested_job_day

R = TypeVar("R", bound=Message)
UowFactory = Callable[[], ComplianceUnitOfWork]


def _actor(caller: Caller, actor_id: str) -> str:
    """Who acts: the token's subject; a system acting for a person (the gateway) may name them."""
    if caller.kind is CallerKind.SYSTEM and actor_id:
        return actor_id
    return caller.subject


def _scope(caller: Caller) -> ScopeCheck:
    def check(partner_id: str) -> None:
        require_partner_scope(caller, partner_id)

    return check


def _required(field_path: str, value: Any, reason: str, rule: str) -> Any:
    if value is None:
        raise InvalidArgument.for_field(field_path, "must be set", reason=reason, rule=rule)
    return value


class ComplianceServicer(pb_grpc.ComplianceServiceServicer):
    def __init__(self, uow_factory: UowFactory, deps: Deps, prices: pricing.PriceList) -> None:
        self._uow = uow_factory
        self._deps = deps
        self._prices = prices

    async def _write(
        self,
        method: str,
        request: Message,
        response_type: type[R],
        work: Callable[[ComplianceUnitOfWork], Awaitable[R]],
    ) -> R:
        return await run_idempotent(self._uow, f"ComplianceService/{method}", request, response_type, work)

    # --- cases (R-VIO-01, R-ETH-01) ---

    async def GetCase(self, request: pb.GetCaseRequest, context: Any) -> pb.GetCaseResponse:
        async with self._uow() as uow:
            case = await cases.load_case(uow, request.case_id, scope=_scope(current_caller()))
        return pb.GetCaseResponse(case=mapping.case_to_proto(case))

    async def ListCases(self, request: pb.ListCasesRequest, context: Any) -> pb.ListCasesResponse:
        caller = current_caller()
        partner_id = request.partner_id or (caller.partner_id or "" if caller.is_partner_user else "")
        require_partner_scope(caller, partner_id)
        size, offset = paging.page_size(request.page_size), paging.offset_of(request.page_token)
        async with self._uow() as uow:
            found = await uow.cases.list(
                partner_id=partner_id,
                state=enum_from_proto(CASE_STATE, request.state, CaseState),
                violation_type=enum_from_proto(VIOLATION_TYPE, request.violation_type, ViolationType),
                offset=offset,
                limit=size + 1,
            )
        page, token = paging.finish(found, offset, size)
        return pb.ListCasesResponse(cases=[mapping.case_to_proto(c) for c in page], next_page_token=token)

    async def OpenCase(self, request: pb.OpenCaseRequest, context: Any) -> pb.OpenCaseResponse:
        command = cases.OpenCase(
            partner_id=request.partner_id,
            violation_type=_required(
                "violation_type",
                enum_from_proto(VIOLATION_TYPE, request.violation_type, ViolationType),
                "VIOLATION_TYPE_REQUIRED",
                "R-VIO-01",
            ),
            mystery_shopper_kind=enum_from_proto(
                MYSTERY_SHOPPER_KIND, request.mystery_shopper_kind, MysteryShopperKind
            ),
            violation_date=mapping.parse_date("violation_date", request.violation_date),
            evidence=mapping.evidence_from_proto(request.evidence),
            actor=_actor(current_caller(), request.actor_id),
        )

        async def work(uow: ComplianceUnitOfWork) -> pb.OpenCaseResponse:
            case = await cases.open_case(uow, self._deps, command)
            return pb.OpenCaseResponse(case=mapping.case_to_proto(case))

        return await self._write("OpenCase", request, pb.OpenCaseResponse, work)

    async def ConfirmCase(self, request: pb.ConfirmCaseRequest, context: Any) -> pb.ConfirmCaseResponse:
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.ConfirmCaseResponse:
            case = await cases.confirm_case(uow, self._deps, request.case_id, reason=request.reason, actor=actor)
            return pb.ConfirmCaseResponse(case=mapping.case_to_proto(case))

        return await self._write("ConfirmCase", request, pb.ConfirmCaseResponse, work)

    async def DismissCase(self, request: pb.DismissCaseRequest, context: Any) -> pb.DismissCaseResponse:
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.DismissCaseResponse:
            case = await cases.dismiss_case(uow, self._deps, request.case_id, reason=request.reason, actor=actor)
            return pb.DismissCaseResponse(case=mapping.case_to_proto(case))

        return await self._write("DismissCase", request, pb.DismissCaseResponse, work)

    async def AppealCase(self, request: pb.AppealCaseRequest, context: Any) -> pb.AppealCaseResponse:
        caller = current_caller()
        actor = _actor(caller, request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.AppealCaseResponse:
            case = await cases.appeal_case(
                uow, self._deps, request.case_id, statement=request.statement, actor=actor, scope=_scope(caller)
            )
            return pb.AppealCaseResponse(case=mapping.case_to_proto(case))

        return await self._write("AppealCase", request, pb.AppealCaseResponse, work)

    async def DecideAppeal(self, request: pb.DecideAppealRequest, context: Any) -> pb.DecideAppealResponse:
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.DecideAppealResponse:
            case, lifted = await cases.decide_appeal(
                uow, self._deps, request.case_id, upheld=request.upheld, reason=request.reason, actor=actor
            )
            return pb.DecideAppealResponse(
                case=mapping.case_to_proto(case), lifted_sanctions=[mapping.sanction_to_proto(s) for s in lifted]
            )

        return await self._write("DecideAppeal", request, pb.DecideAppealResponse, work)

    # --- sanctions (R-SAN-01..10) ---

    async def ApplySanction(self, request: pb.ApplySanctionRequest, context: Any) -> pb.ApplySanctionResponse:
        terms = SanctionTerms(
            kind=_required(
                "kind", enum_from_proto(SANCTION_KIND, request.kind, SanctionKind), "SANCTION_KIND_REQUIRED", "R-SAN-01"
            ),
            start_date=mapping.parse_date("start_date", request.start_date),
            end_date=mapping.parse_optional_date("end_date", request.end_date),
            parameters=parameters_from_proto(request.parameters),
            until_lifted=request.until_lifted,
        )
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.ApplySanctionResponse:
            sanction = await sanctions.apply_sanction(uow, self._deps, request.case_id, terms, actor=actor)
            return pb.ApplySanctionResponse(sanction=mapping.sanction_to_proto(sanction))

        return await self._write("ApplySanction", request, pb.ApplySanctionResponse, work)

    async def LiftSanction(self, request: pb.LiftSanctionRequest, context: Any) -> pb.LiftSanctionResponse:
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.LiftSanctionResponse:
            sanction = await sanctions.lift_sanction(
                uow, self._deps, request.sanction_id, note=request.note, actor=actor
            )
            return pb.LiftSanctionResponse(sanction=mapping.sanction_to_proto(sanction))

        return await self._write("LiftSanction", request, pb.LiftSanctionResponse, work)

    async def RunSanctionLifts(self, request: pb.RunSanctionLiftsRequest, context: Any) -> pb.RunSanctionLiftsResponse:
        _day, as_of = requested_job_day(request.business_date, "business_date", self._deps.clock.now())

        async def work(uow: ComplianceUnitOfWork) -> pb.RunSanctionLiftsResponse:
            lifted = await sanctions.lift_ended_sanctions(uow, self._deps, as_of=as_of)
            return pb.RunSanctionLiftsResponse(lifted_sanctions=[mapping.sanction_to_proto(s) for s in lifted])

        return await self._write("RunSanctionLifts", request, pb.RunSanctionLiftsResponse, work)

    async def ListSanctionTimeline(
        self, request: pb.ListSanctionTimelineRequest, context: Any
    ) -> pb.ListSanctionTimelineResponse:
        if not request.partner_id:
            raise InvalidArgument.for_field(
                "partner_id", "must not be empty", reason="PARTNER_REQUIRED", rule="R-SAN-01"
            )
        size, offset = paging.page_size(request.page_size), paging.offset_of(request.page_token)
        async with self._uow() as uow:
            entries = await sanctions.timeline(uow, request.partner_id, scope=_scope(current_caller()))
        page, token = paging.finish(entries[offset:], offset, size)
        return pb.ListSanctionTimelineResponse(
            entries=[mapping.timeline_entry_to_proto(e) for e in page], next_page_token=token
        )

    async def ListActiveSanctions(
        self, request: pb.ListActiveSanctionsRequest, context: Any
    ) -> pb.ListActiveSanctionsResponse:
        day = mapping.parse_optional_date("at_date", request.at_date) or kyiv_date(self._deps.clock.now())
        after, size = keyset_window(request.page_size, request.page_token, (date, str))
        async with self._uow() as uow:
            found = await sanctions.active_on(
                uow,
                day,
                partner_id=request.partner_id,
                kind=enum_from_proto(SANCTION_KIND, request.kind, SanctionKind),
                after=(after[0], after[1]) if after else None,
                limit=size + 1,
            )
        page, token = keyset_page(found, size, lambda s: (s.start_date, s.sanction_id))
        return pb.ListActiveSanctionsResponse(
            sanctions=[mapping.sanction_to_proto(s) for s in page], next_page_token=token, at_date=iso(day)
        )

    async def ListViolators(self, request: pb.ListViolatorsRequest, context: Any) -> pb.ListViolatorsResponse:
        size, offset = paging.page_size(request.page_size), paging.offset_of(request.page_token)
        async with self._uow() as uow:
            entries = await sanctions.violators(uow, self._deps)
        page, token = paging.finish(entries[offset:], offset, size)
        return pb.ListViolatorsResponse(violators=[mapping.violator_to_proto(e) for e in page], next_page_token=token)

    # --- prices (R-PRC-01..03) ---

    async def CheckResalePrice(self, request: pb.CheckResalePriceRequest, context: Any) -> pb.CheckResalePriceResponse:
        item = mapping.sold_item_from_proto(
            request.sale_kind,
            request.edition_code,
            request.from_edition_code,
            request.cloud_plan,
            request.period_months,
        )
        verdict = self._prices.check(
            partner_id=request.partner_id,
            item=item,
            price_uah=mapping.parse_amount("price_uah", request.price_uah),
            currency=request.currency,
        )
        list_price = str(verdict.list_price_uah)
        if verdict.allowed:
            # The hot path: answered from memory, no database read (R-PRC-02).
            return pb.CheckResalePriceResponse(
                allowed=True, list_price_uah=list_price, policy_version=verdict.policy_version
            )

        async def work(uow: ComplianceUnitOfWork) -> pb.CheckResalePriceResponse:
            answer = await pricing.refused_price(
                uow, self._deps, verdict, partner_id=request.partner_id, order_id=request.order_id, item=item
            )
            return pb.CheckResalePriceResponse(
                allowed=answer.allowed,
                list_price_uah=list_price,
                dumping_case_id=answer.dumping_case_id,
                agreed_discount_id=answer.agreed_discount_id,
                policy_version=verdict.policy_version,
            )

        try:
            return await self._write("CheckResalePrice", request, pb.CheckResalePriceResponse, work)
        except IntegrityError:
            # A concurrent check of the same order opened the incident first (unique order index):
            # run again to answer with that case.
            return await self._write("CheckResalePrice", request, pb.CheckResalePriceResponse, work)

    async def RecordAgreedDiscount(
        self, request: pb.RecordAgreedDiscountRequest, context: Any
    ) -> pb.RecordAgreedDiscountResponse:
        command = pricing.RecordAgreedDiscount(
            description=request.description,
            vendor_reference=request.vendor_reference,
            partner_id=request.partner_id,
            product_code=request.product_code.strip().upper(),
            sale_kind=enum_from_proto(SALE_KIND, request.sale_kind, SaleKind),
            max_discount_percent=mapping.parse_amount("max_discount_percent", request.max_discount_percent),
            valid_from=mapping.parse_date("valid_from_date", request.valid_from_date),
            valid_until=mapping.parse_date("valid_until_date", request.valid_until_date),
            actor=_actor(current_caller(), request.actor_id),
        )

        async def work(uow: ComplianceUnitOfWork) -> pb.RecordAgreedDiscountResponse:
            agreement = await pricing.record_agreed(uow, self._deps, self._prices, command)
            return pb.RecordAgreedDiscountResponse(agreed_discount=mapping.agreed_discount_to_proto(agreement))

        return await self._write("RecordAgreedDiscount", request, pb.RecordAgreedDiscountResponse, work)

    async def EndAgreedDiscount(
        self, request: pb.EndAgreedDiscountRequest, context: Any
    ) -> pb.EndAgreedDiscountResponse:
        last_date = mapping.parse_optional_date("last_date", request.last_date)
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.EndAgreedDiscountResponse:
            ended = await pricing.end_agreed(
                uow, self._deps, request.agreed_discount_id, last_date=last_date, reason=request.reason, actor=actor
            )
            return pb.EndAgreedDiscountResponse(agreed_discount=mapping.agreed_discount_to_proto(ended))

        return await self._write("EndAgreedDiscount", request, pb.EndAgreedDiscountResponse, work)

    async def ListAgreedDiscounts(
        self, request: pb.ListAgreedDiscountsRequest, context: Any
    ) -> pb.ListAgreedDiscountsResponse:
        on = mapping.parse_optional_date("in_force_on_date", request.in_force_on_date)
        size, offset = paging.page_size(request.page_size), paging.offset_of(request.page_token)
        async with self._uow() as uow:
            found = await uow.agreed_discounts.page(request.partner_id, on, offset=offset, limit=size + 1)
        page, token = paging.finish(found, offset, size)
        return pb.ListAgreedDiscountsResponse(
            agreed_discounts=[mapping.agreed_discount_to_proto(a) for a in page], next_page_token=token
        )

    async def RecordControlPurchase(
        self, request: pb.RecordControlPurchaseRequest, context: Any
    ) -> pb.RecordControlPurchaseResponse:
        command = pricing.RecordControlPurchase(
            partner_id=request.partner_id,
            item=mapping.sold_item_from_proto(
                request.sale_kind,
                request.edition_code,
                request.from_edition_code,
                request.cloud_plan,
                request.period_months,
            ),
            paid_price_uah=mapping.parse_amount("paid_price_uah", request.paid_price_uah),
            purchased_date=mapping.parse_date("purchased_date", request.purchased_date),
            evidence=mapping.evidence_from_proto(request.evidence),
            case_id=request.case_id,
            actor=_actor(current_caller(), request.actor_id),
        )

        async def work(uow: ComplianceUnitOfWork) -> pb.RecordControlPurchaseResponse:
            purchase = await pricing.record_control_purchase(uow, self._deps, self._prices, command)
            return pb.RecordControlPurchaseResponse(control_purchase=mapping.control_purchase_to_proto(purchase))

        return await self._write("RecordControlPurchase", request, pb.RecordControlPurchaseResponse, work)

    # --- personal data (R-PD-01..05) ---

    async def OpenPersonalDataRequest(
        self, request: pb.OpenPersonalDataRequestRequest, context: Any
    ) -> pb.OpenPersonalDataRequestResponse:
        command = personal_data.OpenRequest(
            kind=_required(
                "kind",
                enum_from_proto(PD_KIND, request.kind, PersonalDataRequestKind),
                "PD_KIND_REQUIRED",
                "R-PD-05",
            ),
            partner_id=request.partner_id,
            subject=mapping.subject_from_proto(request.subject),
            description=request.description,
            received_date=mapping.parse_date("received_date", request.received_date),
            actor=_actor(current_caller(), request.actor_id),
            legal_basis=enum_from_proto(LEGAL_BASIS, request.legal_basis, LegalBasis),
        )

        async def work(uow: ComplianceUnitOfWork) -> pb.OpenPersonalDataRequestResponse:
            opened = await personal_data.open_request(uow, self._deps, command)
            return pb.OpenPersonalDataRequestResponse(
                personal_data_request=mapping.pd_request_to_proto(opened, self._today())
            )

        # The stored answer keeps the person; each caller sees it as its role allows (R-PD-01).
        answer = await self._write("OpenPersonalDataRequest", request, pb.OpenPersonalDataRequestResponse, work)
        return pb.OpenPersonalDataRequestResponse(
            personal_data_request=mapping.shown_to(current_caller(), answer.personal_data_request)
        )

    async def CompletePersonalDataRequest(
        self, request: pb.CompletePersonalDataRequestRequest, context: Any
    ) -> pb.CompletePersonalDataRequestResponse:
        actor = _actor(current_caller(), request.actor_id)

        async def work(uow: ComplianceUnitOfWork) -> pb.CompletePersonalDataRequestResponse:
            done = await personal_data.complete_request(
                uow, self._deps, request.personal_data_request_id, note=request.note, actor=actor
            )
            return pb.CompletePersonalDataRequestResponse(
                personal_data_request=mapping.pd_request_to_proto(done, self._today())
            )

        answer = await self._write("CompletePersonalDataRequest", request, pb.CompletePersonalDataRequestResponse, work)
        return pb.CompletePersonalDataRequestResponse(
            personal_data_request=mapping.shown_to(current_caller(), answer.personal_data_request)
        )

    async def ListOverduePersonalDataRequests(
        self, request: pb.ListOverduePersonalDataRequestsRequest, context: Any
    ) -> pb.ListOverduePersonalDataRequestsResponse:
        today = mapping.parse_optional_date("as_of_date", request.as_of_date) or self._today()
        size, offset = paging.page_size(request.page_size), paging.offset_of(request.page_token)
        async with self._uow() as uow:
            found = await personal_data.overdue(uow, today, offset=offset, limit=size + 1)
        page, token = paging.finish(found, offset, size)
        return pb.ListOverduePersonalDataRequestsResponse(
            personal_data_requests=[
                mapping.shown_to(current_caller(), mapping.pd_request_to_proto(r, today)) for r in page
            ],
            next_page_token=token,
        )

    def _today(self) -> date:
        return kyiv_date(self._deps.clock.now())
