"""The lead RPCs of StatusService (R-LEAD-01..03): moderation before distribution, then offers.

A mixin of ``StatusServicer``, kept apart as the servicer grows with the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar

from google.protobuf.message import Message

from partnerprogram.status.v1 import lead_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from ppcore.auth import CallerKind, current_caller, require_partner_scope
from ppcore.errors import InvalidArgument, PermissionDenied, not_found
from ppcore.paging import next_page_token, page_window
from ppcore.timestamps import optional_timestamp
from status_service.adapters import proto_mapping as m
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.enums import LeadState
from status_service.domain.leads import Lead
from status_service.service_layer import leads

R = TypeVar("R", bound=Message)


def lead_pb(lead: Lead) -> lead_pb2.Lead:
    return lead_pb2.Lead(
        lead_id=lead.lead_id,
        state=lead_pb2.LeadState.Value(f"LEAD_STATE_{lead.state.value}"),
        city=lead.city,
        city_key=lead.city_key,
        description=lead.description,
        receive_time=optional_timestamp(lead.received_time),
        moderated_by=lead.moderated_by,
        moderate_time=optional_timestamp(lead.moderated_time),
        moderation_note=lead.moderation_note,
        offer_time=optional_timestamp(lead.offered_time),
        offers=[
            lead_pb2.LeadOffer(
                partner_id=o.partner_id,
                delivery=m.lead_delivery_pb(o.delivery),  # type: ignore[arg-type]
                state=lead_pb2.LeadOfferState.Value(f"LEAD_OFFER_STATE_{o.state.value}"),
                login=o.login,
                decide_time=optional_timestamp(o.decided_time),
            )
            for o in sorted(lead.offers.values(), key=lambda o: o.partner_id)
        ],
        taken_by_partner_id=lead.taken_by_partner_id,
        taken_by_login=lead.taken_by_login,
    )


def _answering_login(partner_id: str, login: str) -> str:
    """A partner user answers for its own partner as itself; others name the login."""
    caller = current_caller()
    if caller.kind is CallerKind.PARTNER_USER:
        require_partner_scope(caller, partner_id)
        if login and login != caller.subject:
            raise PermissionDenied(reason="OTHER_LOGIN", message="login: a partner user answers only as itself")
        return caller.subject
    if not login:
        raise InvalidArgument.for_field("login", "is required (R-LEAD-02)", reason="FIELD_REQUIRED", rule="R-LEAD-02")
    return login


def _visible(lead: Lead) -> Lead:
    """Partner users see only the leads offered to their partner."""
    caller = current_caller()
    if caller.kind is CallerKind.PARTNER_USER and caller.partner_id not in lead.offers:
        raise not_found("lead", lead.lead_id)
    return lead


class LeadRpcs:
    uow_factory: Callable[[], StatusUnitOfWork]

    def _now(self) -> datetime:
        raise NotImplementedError

    def _today(self) -> date:
        raise NotImplementedError

    async def _write(
        self, method: str, request: Message, response_type: type[R], work: Callable[[StatusUnitOfWork], Awaitable[R]]
    ) -> R:
        raise NotImplementedError

    async def _read(self, work: Callable[[StatusUnitOfWork], Awaitable[R]]) -> R:
        raise NotImplementedError

    async def ReceiveLead(self, request: pb.ReceiveLeadRequest, context: Any) -> pb.ReceiveLeadResponse:
        async def work(uow: StatusUnitOfWork) -> pb.ReceiveLeadResponse:
            lead = await leads.receive(uow, request.city, request.description, self._now())
            return pb.ReceiveLeadResponse(lead=lead_pb(lead))

        return await self._write("ReceiveLead", request, pb.ReceiveLeadResponse, work)

    async def ModerateLead(self, request: pb.ModerateLeadRequest, context: Any) -> pb.ModerateLeadResponse:
        staff = request.staff_login or current_caller().subject

        async def work(uow: StatusUnitOfWork) -> pb.ModerateLeadResponse:
            lead = await leads.moderate(
                uow, request.lead_id, approve=request.approve, staff_login=staff, note=request.note, now=self._now()
            )
            return pb.ModerateLeadResponse(lead=lead_pb(lead))

        return await self._write("ModerateLead", request, pb.ModerateLeadResponse, work)

    async def OfferLead(self, request: pb.OfferLeadRequest, context: Any) -> pb.OfferLeadResponse:
        async def work(uow: StatusUnitOfWork) -> pb.OfferLeadResponse:
            lead = await leads.offer(uow, request.lead_id, self._now())
            return pb.OfferLeadResponse(lead=lead_pb(lead))

        return await self._write("OfferLead", request, pb.OfferLeadResponse, work)

    async def TakeLead(self, request: pb.TakeLeadRequest, context: Any) -> pb.TakeLeadResponse:
        lead = await self._answer("TakeLead", request, take=True)
        return pb.TakeLeadResponse(lead=lead)

    async def DeclineLead(self, request: pb.DeclineLeadRequest, context: Any) -> pb.DeclineLeadResponse:
        lead = await self._answer("DeclineLead", request, take=False)
        return pb.DeclineLeadResponse(lead=lead)

    async def _answer(
        self, method: str, request: pb.TakeLeadRequest | pb.DeclineLeadRequest, *, take: bool
    ) -> lead_pb2.Lead:
        """A partner's answer to an offered lead, by a Leads-group employee (R-LEAD-02)."""
        login = _answering_login(request.partner_id, request.login)

        async def work(uow: StatusUnitOfWork) -> pb.GetLeadResponse:
            lead = await leads.answer(uow, request.lead_id, request.partner_id, login, take=take, now=self._now())
            return pb.GetLeadResponse(lead=lead_pb(lead))

        return (await self._write(method, request, pb.GetLeadResponse, work)).lead

    async def GetLead(self, request: pb.GetLeadRequest, context: Any) -> pb.GetLeadResponse:
        async def work(uow: StatusUnitOfWork) -> pb.GetLeadResponse:
            lead = await uow.leads.get(request.lead_id)
            if lead is None:
                raise not_found("lead", request.lead_id)
            return pb.GetLeadResponse(lead=lead_pb(_visible(lead)))

        return await self._read(work)

    async def ListLeads(self, request: pb.ListLeadsRequest, context: Any) -> pb.ListLeadsResponse:
        caller = current_caller()
        if caller.kind is CallerKind.PARTNER_USER:
            require_partner_scope(caller, request.partner_id)
        state = LeadState(lead_pb2.LeadState.Name(request.state).removeprefix("LEAD_STATE_")) if request.state else None
        offset, limit = page_window(request.page_size, request.page_token)

        async def work(uow: StatusUnitOfWork) -> pb.ListLeadsResponse:
            items = await uow.leads.page(state, request.partner_id, offset, limit)
            return pb.ListLeadsResponse(
                leads=[lead_pb(lead) for lead in items],
                next_page_token=next_page_token(offset, limit, len(items) == limit),
            )

        return await self._read(work)
