"""StatusService over gRPC: request -> use case -> response. Errors are mapped centrally."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from google.protobuf.message import Message

from partnerprogram.status.v1 import card_pb2, entitlement_pb2, partner_pb2, simulation_pb2
from partnerprogram.status.v1 import status_service_pb2 as pb
from partnerprogram.status.v1 import status_service_pb2_grpc as pb_grpc
from ppcore.auth import Caller, CallerKind, current_caller, current_viewer, require_partner_scope
from ppcore.clock import Clock, kyiv_date
from ppcore.cooperative import hot_call, list_lane, map_in_slices
from ppcore.errors import FailedPrecondition, InvalidArgument, PermissionDenied, not_found
from ppcore.idempotency import run_idempotent
from ppcore.paging import keyset_page, keyset_window, next_page_token, page_window
from ppcore.personal_data import mask_email, mask_phone, mask_text, may_see_contacts_of, may_see_personal_data
from ppcore.policy import ProgramPolicy, Tier
from ppcore.purchase import require_buyer_for_purchase
from ppcore.scheduler import parse_iso_date, requested_job_day
from status_service.adapters import proto_mapping as m
from status_service.adapters.uow import StatusUnitOfWork
from status_service.domain.card_moderation import card_eligibility
from status_service.domain.certificates import courses_by_login
from status_service.domain.employees import Actor
from status_service.domain.entitlement import EntitlementDecision
from status_service.domain.enums import ApplicationState, EntitlementReason
from status_service.domain.facts import partner_facts
from status_service.domain.lifecycle import authorization_letter
from status_service.domain.status_engine import partner_status_facts, status_certificate, status_view
from status_service.entrypoints.lead_rpcs import LeadRpcs, lead_pb
from status_service.service_layer import (
    applications,
    card,
    employees,
    partners,
    policy_versions,
    queries,
    simulation,
    status,
)
from status_service.service_layer.common import courses_of, load_partner
from status_service.service_layer.daily import run_daily_review
from status_service.service_layer.entitlement import EntitlementReader
from status_service.service_layer.privacy import ERASED

R = TypeVar("R", bound=Message)
Ctx = Any


def _page(page_size: int, page_token: str) -> tuple[int, int]:
    return page_window(page_size, page_token)


def _next_token(offset: int, limit: int, items: Sequence[object]) -> str:
    return next_page_token(offset, limit, len(items) == limit)


def _scope(partner_id: str) -> None:
    require_partner_scope(current_caller(), partner_id)


def _actor(partner_id: str, actor_login: str, staff_login: str = "") -> Actor:
    """Staff act as staff; a partner user acts as its own login, on its own partner only."""
    caller = current_caller()
    if caller.kind is CallerKind.STAFF:
        return Actor.staff(staff_login or caller.subject)
    if caller.kind is CallerKind.PARTNER_USER:
        require_partner_scope(caller, partner_id)
        return Actor(login=caller.subject)
    return Actor(login=actor_login)  # an internal system (the partner site) on a login's behalf


def _own_login(login: str) -> None:
    caller = current_caller()
    if caller.kind is CallerKind.PARTNER_USER and caller.subject != login:
        raise PermissionDenied(reason="OTHER_LOGIN", message="login: a partner user may ask only about itself")


def _contacts_shown_to(caller: Caller, application: partner_pb2.Application) -> partner_pb2.Application:
    """The applicant's contacts masked unless the caller's role needs them (R-PD-01); erased stays erased."""
    if may_see_personal_data(caller):
        return application
    data = application.data

    def shown(value: str, mask: Callable[[str], str]) -> str:
        return value if value == ERASED else mask(value)

    data.contact_name = shown(data.contact_name, mask_text)
    data.contact_email = shown(data.contact_email, mask_email)
    data.contact_phone = shown(data.contact_phone, mask_phone)
    return application


def _revision_shown_to(
    caller: Caller, partner_id: str, revision: card_pb2.CardRevision | None
) -> card_pb2.CardRevision | None:
    """A card change with its phone masked unless the caller may see the partner's contacts (R-PD-01)."""
    if revision is not None and not may_see_contacts_of(caller, partner_id):
        _mask_revision(revision)
    return revision


def _mask_revision(revision: card_pb2.CardRevision) -> None:
    if revision.content.phone:
        revision.content.phone = mask_phone(revision.content.phone)
        revision.contacts_masked = True


@dataclass
class StatusServicer(LeadRpcs, pb_grpc.StatusServiceServicer):
    uow_factory: Callable[[], StatusUnitOfWork]
    clock: Clock
    policy: ProgramPolicy
    entitlements: EntitlementReader

    # --- helpers -------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.clock.now()

    def _today(self) -> date:
        return kyiv_date(self.clock.now())

    async def _write(
        self, method: str, request: Message, response_type: type[R], work: Callable[[StatusUnitOfWork], Awaitable[R]]
    ) -> R:
        return await run_idempotent(self.uow_factory, method, request, response_type, work)

    async def _read(self, work: Callable[[StatusUnitOfWork], Awaitable[R]]) -> R:
        async with self.uow_factory() as uow:
            return await work(uow)

    def _application_pb(self, application: Any) -> Any:
        calendar, days = self.policy.business_calendar(), self.policy.deadlines.application_review_days
        return m.application_pb(
            application,
            due=application.review_due_date(calendar, days),
            overdue=application.is_overdue(calendar, days, self._now()),
        )

    def _partner_pb(self, partner: Any) -> Any:
        return m.partner_pb(partner, self._today(), queries.active_codes(partner, self.policy))

    # --- applications (R-PRT-01..04) --------------------------------------------------
    async def GetApplication(self, request: pb.GetApplicationRequest, context: Ctx) -> pb.GetApplicationResponse:
        async def work(uow: StatusUnitOfWork) -> pb.GetApplicationResponse:
            application = await uow.applications.get(request.application_id)
            if application is None:
                raise not_found("application", request.application_id)
            return pb.GetApplicationResponse(
                application=_contacts_shown_to(current_viewer(), self._application_pb(application))
            )

        return await self._read(work)

    async def ListApplications(self, request: pb.ListApplicationsRequest, context: Ctx) -> pb.ListApplicationsResponse:
        offset, limit = _page(request.page_size, request.page_token)
        state = (
            ApplicationState(partner_pb2.ApplicationState.Name(request.state).removeprefix("APPLICATION_STATE_"))
            if request.state
            else None
        )

        async def work(uow: StatusUnitOfWork) -> pb.ListApplicationsResponse:
            items = await applications.list_applications(
                uow, state, request.overdue_only, offset, limit, self._now(), self.policy
            )
            return pb.ListApplicationsResponse(
                applications=[_contacts_shown_to(current_viewer(), self._application_pb(a)) for a in items],
                next_page_token=_next_token(offset, limit, items),
            )

        return await self._read(work)

    async def CreateApplication(
        self, request: pb.CreateApplicationRequest, context: Ctx
    ) -> pb.CreateApplicationResponse:
        async def work(uow: StatusUnitOfWork) -> pb.CreateApplicationResponse:
            application = await applications.create_application(uow, m.applicant_of(request.data), self._now())
            return pb.CreateApplicationResponse(application=self._application_pb(application))

        return await self._write("CreateApplication", request, pb.CreateApplicationResponse, work)

    async def ApproveApplication(
        self, request: pb.ApproveApplicationRequest, context: Ctx
    ) -> pb.ApproveApplicationResponse:
        async def work(uow: StatusUnitOfWork) -> pb.ApproveApplicationResponse:
            application, partner = await applications.approve(uow, request.application_id, self._now(), self.policy)
            return pb.ApproveApplicationResponse(
                application=self._application_pb(application), partner=self._partner_pb(partner)
            )

        return await self._write("ApproveApplication", request, pb.ApproveApplicationResponse, work)

    async def RejectApplication(
        self, request: pb.RejectApplicationRequest, context: Ctx
    ) -> pb.RejectApplicationResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RejectApplicationResponse:
            application = await applications.reject(uow, request.application_id, request.reason, self._now())
            return pb.RejectApplicationResponse(application=self._application_pb(application))

        return await self._write("RejectApplication", request, pb.RejectApplicationResponse, work)

    async def RequestApplicationInfo(
        self, request: pb.RequestApplicationInfoRequest, context: Ctx
    ) -> pb.RequestApplicationInfoResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RequestApplicationInfoResponse:
            application = await applications.request_info(uow, request.application_id, request.note, self._now())
            return pb.RequestApplicationInfoResponse(application=self._application_pb(application))

        return await self._write("RequestApplicationInfo", request, pb.RequestApplicationInfoResponse, work)

    async def ProvideApplicationInfo(
        self, request: pb.ProvideApplicationInfoRequest, context: Ctx
    ) -> pb.ProvideApplicationInfoResponse:
        async def work(uow: StatusUnitOfWork) -> pb.ProvideApplicationInfoResponse:
            application = await applications.provide_info(
                uow, request.application_id, m.applicant_of(request.data), self._now()
            )
            return pb.ProvideApplicationInfoResponse(application=self._application_pb(application))

        return await self._write("ProvideApplicationInfo", request, pb.ProvideApplicationInfoResponse, work)

    # --- partners and lifecycle (R-PRT-05..07) ----------------------------------------
    async def GetPartner(self, request: pb.GetPartnerRequest, context: Ctx) -> pb.GetPartnerResponse:
        _scope(request.partner_id)

        async def work(uow: StatusUnitOfWork) -> pb.GetPartnerResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            return pb.GetPartnerResponse(partner=self._partner_pb(partner))

        return await self._read(work)

    async def ListPartners(self, request: pb.ListPartnersRequest, context: Ctx) -> pb.ListPartnersResponse:
        after, limit = keyset_window(request.page_size, request.page_token, (str,))

        async def work(uow: StatusUnitOfWork) -> pb.ListPartnersResponse:
            items = await uow.partners.page(
                tier=m.tier_of(request.tier),
                city=request.city,
                competency_code=request.competency_code,
                include_terminated=request.include_terminated,
                today=self._today(),
                after=after[0] if after else None,
                limit=limit + 1,
            )
            page, token = keyset_page(items, limit, lambda p: (p.partner_id,))
            partners = await map_in_slices(self._partner_pb, page)
            return pb.ListPartnersResponse(partners=partners, next_page_token=token)

        async with list_lane():  # staff screens queue here, holding no connection
            return await self._read(work)

    async def GetPartnerFacts(self, request: pb.GetPartnerFactsRequest, context: Ctx) -> pb.GetPartnerFactsResponse:
        async def work(uow: StatusUnitOfWork) -> pb.GetPartnerFactsResponse:
            partner = await uow.partners.get(request.partner_id)
            courses = await courses_of(uow, partner) if partner else {}
            facts = partner_facts(request.partner_id, partner, courses, frozenset(request.course_codes), self._today())
            return pb.GetPartnerFactsResponse(
                partner_id=request.partner_id,
                exists=facts.exists,
                terminated=facts.terminated,
                contract_accepted=facts.contract_accepted,
                tier=m.tier_pb(facts.tier),  # type: ignore[arg-type]
                certified_employee_count=facts.certified_employee_count,
                city=partner.city if partner else "",
            )

        return await self._read(work)

    async def FileContractApplication(
        self, request: pb.FileContractApplicationRequest, context: Ctx
    ) -> pb.FileContractApplicationResponse:
        actor = _actor(request.partner_id, request.actor_login)

        async def work(uow: StatusUnitOfWork) -> pb.FileContractApplicationResponse:
            contract = await partners.file_contract(
                uow, request.partner_id, actor, m.requisites_of(request.requisites), self._now()
            )
            return pb.FileContractApplicationResponse(contract=m.contract_pb(contract))

        return await self._write("FileContractApplication", request, pb.FileContractApplicationResponse, work)

    async def AcceptContractApplication(
        self, request: pb.AcceptContractApplicationRequest, context: Ctx
    ) -> pb.AcceptContractApplicationResponse:
        async def work(uow: StatusUnitOfWork) -> pb.AcceptContractApplicationResponse:
            contract = await partners.accept_contract(uow, request.partner_id, request.contract_id, self._now())
            return pb.AcceptContractApplicationResponse(contract=m.contract_pb(contract))

        return await self._write("AcceptContractApplication", request, pb.AcceptContractApplicationResponse, work)

    async def RefuseContractApplication(
        self, request: pb.RefuseContractApplicationRequest, context: Ctx
    ) -> pb.RefuseContractApplicationResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RefuseContractApplicationResponse:
            contract = await partners.refuse_contract(
                uow, request.partner_id, request.contract_id, request.reason, self._now()
            )
            return pb.RefuseContractApplicationResponse(contract=m.contract_pb(contract))

        return await self._write("RefuseContractApplication", request, pb.RefuseContractApplicationResponse, work)

    async def GetAuthorizationLetter(
        self, request: pb.GetAuthorizationLetterRequest, context: Ctx
    ) -> pb.GetAuthorizationLetterResponse:
        _scope(request.partner_id)

        async def work(uow: StatusUnitOfWork) -> pb.GetAuthorizationLetterResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            return pb.GetAuthorizationLetterResponse(letter=m.letter_pb(authorization_letter(partner, self._today())))

        return await self._read(work)

    async def TerminatePartner(self, request: pb.TerminatePartnerRequest, context: Ctx) -> pb.TerminatePartnerResponse:
        form = m.termination_form_of(request.form)
        # R-PRT-06: no notice date means the notice is given today (program time).
        notice = m.parse_date(request.notice_date, "notice_date", rule="R-PRT-06") if request.notice_date else None
        effective = m.parse_date(request.effective_date, "effective_date", rule="R-PRT-06")

        async def work(uow: StatusUnitOfWork) -> pb.TerminatePartnerResponse:
            termination = await partners.terminate(
                uow,
                request.partner_id,
                form,
                notice or self._today(),
                effective,
                request.reason,
                request.violation_case_id,
                self._now(),
                self.policy,
            )
            return pb.TerminatePartnerResponse(termination=m.termination_pb(termination, self._today()))

        return await self._write("TerminatePartner", request, pb.TerminatePartnerResponse, work)

    # --- card (R-CARD-01/02) -------------------------------------------------------------
    def _card_pb(self, partner: Any) -> Any:
        shown = card_pb2.PartnerCard(
            partner_id=partner.partner_id,
            published=m.card_content_pb(partner.card.published),
            published_revision_id=partner.card.published_revision_id,
            pending=m.revision_pb(partner.card.pending),
            eligibility=m.eligibility_pb(card_eligibility(partner, self._today())),
            competency_codes=sorted(queries.active_codes(partner, self.policy)),
            contacts_legal_basis=m.legal_basis_pb(partner.contacts_legal_basis),  # type: ignore[arg-type]
        )
        if not may_see_contacts_of(current_viewer(), partner.partner_id):  # R-PD-01
            if shown.published.phone:
                shown.published.phone = mask_phone(shown.published.phone)
            _mask_revision(shown.pending)
            shown.contacts_masked = True
        return shown

    async def GetPartnerCard(self, request: pb.GetPartnerCardRequest, context: Ctx) -> pb.GetPartnerCardResponse:
        _scope(request.partner_id)

        async def work(uow: StatusUnitOfWork) -> pb.GetPartnerCardResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            return pb.GetPartnerCardResponse(card=self._card_pb(partner))

        return await self._read(work)

    async def ProposeCardChange(
        self, request: pb.ProposeCardChangeRequest, context: Ctx
    ) -> pb.ProposeCardChangeResponse:
        actor = _actor(request.partner_id, request.actor_login)

        async def work(uow: StatusUnitOfWork) -> pb.ProposeCardChangeResponse:
            revision = await card.propose(
                uow, request.partner_id, actor, m.card_content_of(request.content), self._now()
            )
            return pb.ProposeCardChangeResponse(
                revision=_revision_shown_to(current_viewer(), request.partner_id, m.revision_pb(revision))
            )

        return await self._write("ProposeCardChange", request, pb.ProposeCardChangeResponse, work)

    async def ApproveCardChange(
        self, request: pb.ApproveCardChangeRequest, context: Ctx
    ) -> pb.ApproveCardChangeResponse:
        async def work(uow: StatusUnitOfWork) -> pb.ApproveCardChangeResponse:
            partner = await card.approve(uow, request.partner_id, request.revision_id, request.note, self._now())
            return pb.ApproveCardChangeResponse(card=self._card_pb(partner))

        return await self._write("ApproveCardChange", request, pb.ApproveCardChangeResponse, work)

    async def RejectCardChange(self, request: pb.RejectCardChangeRequest, context: Ctx) -> pb.RejectCardChangeResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RejectCardChangeResponse:
            revision = await card.reject(uow, request.partner_id, request.revision_id, request.note, self._now())
            return pb.RejectCardChangeResponse(
                revision=_revision_shown_to(current_viewer(), request.partner_id, m.revision_pb(revision))
            )

        return await self._write("RejectCardChange", request, pb.RejectCardChangeResponse, work)

    async def GetPublicListEligibility(
        self, request: pb.GetPublicListEligibilityRequest, context: Ctx
    ) -> pb.GetPublicListEligibilityResponse:
        _scope(request.partner_id)

        async def work(uow: StatusUnitOfWork) -> pb.GetPublicListEligibilityResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            return pb.GetPublicListEligibilityResponse(
                eligibility=m.eligibility_pb(card_eligibility(partner, self._today()))
            )

        return await self._read(work)

    # --- employees and certificates (R-EMP-01..06) -------------------------------------
    async def ListEmployees(self, request: pb.ListEmployeesRequest, context: Ctx) -> pb.ListEmployeesResponse:
        _scope(request.partner_id)
        after, limit = keyset_window(request.page_size, request.page_token, (datetime, str))

        async def work(uow: StatusUnitOfWork) -> pb.ListEmployeesResponse:
            if not await uow.partners.known(request.partner_id):
                raise not_found("partner", request.partner_id)
            found = await uow.partners.employees_page(
                request.partner_id, (after[0], after[1]) if after else None, limit + 1
            )
            items, token = keyset_page(found, limit, lambda e: (e.attached_time, e.login))
            courses = courses_by_login(await uow.certificates.of_logins([e.login for e in items]))
            return pb.ListEmployeesResponse(
                employees=[m.employee_pb(e, courses.get(e.login, ())) for e in items], next_page_token=token
            )

        return await self._read(work)

    async def AttachEmployee(self, request: pb.AttachEmployeeRequest, context: Ctx) -> pb.AttachEmployeeResponse:
        actor = _actor(request.partner_id, request.actor_login, request.staff_login)
        role = m.role_of(request.role)
        groups = m.groups_of(request.access_groups)

        async def work(uow: StatusUnitOfWork) -> pb.AttachEmployeeResponse:
            employee = await employees.attach(
                uow, request.partner_id, actor, request.login, role, groups, self._now(), self.policy
            )
            return pb.AttachEmployeeResponse(employee=m.employee_pb(employee))

        return await self._write("AttachEmployee", request, pb.AttachEmployeeResponse, work)

    async def DetachEmployee(self, request: pb.DetachEmployeeRequest, context: Ctx) -> pb.DetachEmployeeResponse:
        actor = _actor(request.partner_id, request.actor_login, request.staff_login)

        async def work(uow: StatusUnitOfWork) -> pb.DetachEmployeeResponse:
            employee = await employees.detach(uow, request.partner_id, actor, request.login, self._now(), self.policy)
            return pb.DetachEmployeeResponse(employee=m.employee_pb(employee))

        return await self._write("DetachEmployee", request, pb.DetachEmployeeResponse, work)

    async def SetEmployeeAccessGroups(
        self, request: pb.SetEmployeeAccessGroupsRequest, context: Ctx
    ) -> pb.SetEmployeeAccessGroupsResponse:
        actor = _actor(request.partner_id, request.actor_login, request.staff_login)
        groups = m.groups_of(request.access_groups)

        async def work(uow: StatusUnitOfWork) -> pb.SetEmployeeAccessGroupsResponse:
            employee = await employees.set_groups(uow, request.partner_id, actor, request.login, groups, self._now())
            return pb.SetEmployeeAccessGroupsResponse(employee=m.employee_pb(employee))

        return await self._write("SetEmployeeAccessGroups", request, pb.SetEmployeeAccessGroupsResponse, work)

    async def ChangeMainUser(self, request: pb.ChangeMainUserRequest, context: Ctx) -> pb.ChangeMainUserResponse:
        actor = _actor(request.partner_id, "", request.staff_login)
        previous_role = (
            m.role_of(request.previous_main_role, "previous_main_role") if request.previous_main_role else None
        )

        async def work(uow: StatusUnitOfWork) -> pb.ChangeMainUserResponse:
            main = await employees.change_main_user(
                uow, request.partner_id, actor, request.new_login, previous_role, self._now(), self.policy
            )
            return pb.ChangeMainUserResponse(main_user=m.employee_pb(main))

        return await self._write("ChangeMainUser", request, pb.ChangeMainUserResponse, work)

    async def GetAccess(self, request: pb.GetAccessRequest, context: Ctx) -> pb.GetAccessResponse:
        _own_login(request.login)

        async def work(uow: StatusUnitOfWork) -> pb.GetAccessResponse:
            answer = await employees.access(uow, request.login, self._today())
            return pb.GetAccessResponse(
                login=answer.login,
                partner_id=answer.partner_id,
                role=m.role_pb(answer.role),  # type: ignore[arg-type]
                access_groups=m.groups_pb(answer.access_groups),  # type: ignore[arg-type]
                permissions=m.permissions_pb(answer.permissions),  # type: ignore[arg-type]
            )

        return await self._read(work)

    async def ListCertificates(self, request: pb.ListCertificatesRequest, context: Ctx) -> pb.ListCertificatesResponse:
        _own_login(request.login)
        offset, limit = _page(request.page_size, request.page_token)

        async def work(uow: StatusUnitOfWork) -> pb.ListCertificatesResponse:
            items = await uow.certificates.list_of_login(request.login, offset, limit)
            return pb.ListCertificatesResponse(
                certificates=[m.certificate_pb(c) for c in items], next_page_token=_next_token(offset, limit, items)
            )

        return await self._read(work)

    async def RecordCertificate(
        self, request: pb.RecordCertificateRequest, context: Ctx
    ) -> pb.RecordCertificateResponse:
        issued = m.parse_date(request.issued_date, "issued_date", rule="R-EMP-06")

        async def work(uow: StatusUnitOfWork) -> pb.RecordCertificateResponse:
            certificate = await employees.record_certificate(
                uow, request.certificate_id, request.login, request.course_code, issued, self._now(), self.policy
            )
            return pb.RecordCertificateResponse(certificate=m.certificate_pb(certificate))

        return await self._write("RecordCertificate", request, pb.RecordCertificateResponse, work)

    async def RevokeCertificate(
        self, request: pb.RevokeCertificateRequest, context: Ctx
    ) -> pb.RevokeCertificateResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RevokeCertificateResponse:
            certificate = await employees.revoke_certificate(
                uow, request.certificate_id, request.reason, self._now(), self.policy
            )
            return pb.RevokeCertificateResponse(certificate=m.certificate_pb(certificate))

        return await self._write("RevokeCertificate", request, pb.RevokeCertificateResponse, work)

    # --- competencies (R-CMP-*) -----------------------------------------------------------
    async def ListCompetencies(self, request: pb.ListCompetenciesRequest, context: Ctx) -> pb.ListCompetenciesResponse:
        _scope(request.partner_id)
        offset, limit = _page(request.page_size, request.page_token)

        async def work(uow: StatusUnitOfWork) -> pb.ListCompetenciesResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            active = queries.active_codes(partner, self.policy)
            held = sorted(partner.competencies.values(), key=lambda c: c.code)[offset : offset + limit]
            return pb.ListCompetenciesResponse(
                competencies=[m.competency_pb(c, self.policy, c.code in active) for c in held],
                next_page_token=_next_token(offset, limit, held),
            )

        return await self._read(work)

    async def GrantCompetency(self, request: pb.GrantCompetencyRequest, context: Ctx) -> pb.GrantCompetencyResponse:
        async def work(uow: StatusUnitOfWork) -> pb.GrantCompetencyResponse:
            held = await status.grant_competency(
                uow, request.partner_id, request.competency_code, self._now(), self.policy
            )
            return pb.GrantCompetencyResponse(competency=m.competency_pb(held, self.policy, True))

        return await self._write("GrantCompetency", request, pb.GrantCompetencyResponse, work)

    async def RevokeCompetency(self, request: pb.RevokeCompetencyRequest, context: Ctx) -> pb.RevokeCompetencyResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RevokeCompetencyResponse:
            revoked = await status.revoke_competency(
                uow, request.partner_id, request.competency_code, request.reason, self._now(), self.policy
            )
            return pb.RevokeCompetencyResponse(revoked=revoked)

        return await self._write("RevokeCompetency", request, pb.RevokeCompetencyResponse, work)

    # --- status (R-STS-*) -------------------------------------------------------------------
    async def GetPartnerStatus(self, request: pb.GetPartnerStatusRequest, context: Ctx) -> pb.GetPartnerStatusResponse:
        _scope(request.partner_id)

        async def work(uow: StatusUnitOfWork) -> pb.GetPartnerStatusResponse:
            view = await status.view(uow, request.partner_id, self._today(), self.policy)
            return pb.GetPartnerStatusResponse(status=m.status_view_pb(view))

        return await self._read(work)

    async def GetPartnerSnapshot(
        self, request: pb.GetPartnerSnapshotRequest, context: Ctx
    ) -> pb.GetPartnerSnapshotResponse:
        """The partner view's parts from one load of the partner (R-CARD-04), each as its own RPC gives it."""
        parts = frozenset(request.parts) or _ALL_PARTS
        if pb.SNAPSHOT_PART_DISCOUNT in parts and not request.discount_product_family:
            raise InvalidArgument.for_field("discount_product_family", "is required with the discount part")
        today = self._today()

        async def work(uow: StatusUnitOfWork) -> pb.GetPartnerSnapshotResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            out = pb.GetPartnerSnapshotResponse()
            needs_courses = parts & {pb.SNAPSHOT_PART_STATUS, pb.SNAPSHOT_PART_EMPLOYEES}
            courses = await courses_of(uow, partner) if needs_courses else {}
            if pb.SNAPSHOT_PART_PARTNER in parts:
                out.partner.CopyFrom(self._partner_pb(partner))
            if pb.SNAPSHOT_PART_CARD in parts:
                out.card.CopyFrom(self._card_pb(partner))
            if pb.SNAPSHOT_PART_STATUS in parts:
                facts = partner_status_facts(partner, courses, today, self.policy)
                out.status.CopyFrom(m.status_view_pb(status_view(partner, facts, self.policy)))
            if pb.SNAPSHOT_PART_AUTHORIZATION_LETTER in parts:
                try:
                    out.letter.CopyFrom(m.letter_pb(authorization_letter(partner, today)))
                except FailedPrecondition as refused:  # R-PRT-05/07: no letter yet, or no longer
                    out.no_letter_reason = refused.reason
            if pb.SNAPSHOT_PART_EMPLOYEES in parts:
                staff = sorted(partner.roster.employees.values(), key=lambda e: (e.attached_time, e.login))
                out.employees.extend(m.employee_pb(e, courses.get(e.login, ())) for e in staff[:_SNAPSHOT_LIST])
            if pb.SNAPSHOT_PART_COMPETENCIES in parts:
                active = queries.active_codes(partner, self.policy)
                held = sorted(partner.competencies.values(), key=lambda c: c.code)[:_SNAPSHOT_LIST]
                out.competencies.extend(m.competency_pb(c, self.policy, c.code in active) for c in held)
            if pb.SNAPSHOT_PART_LEADS in parts:
                out.leads.extend(
                    lead_pb(lead) for lead in await uow.leads.page(None, partner.partner_id, 0, _SNAPSHOT_LIST)
                )
            return out

        snapshot = await self._read(work)
        if pb.SNAPSHOT_PART_DISCOUNT in parts:
            decision = await self.entitlements.check("", request.partner_id, request.discount_product_family, today)
            snapshot.discount.CopyFrom(_entitlement_pb(decision))
        return snapshot

    async def ListStatusHistory(
        self, request: pb.ListStatusHistoryRequest, context: Ctx
    ) -> pb.ListStatusHistoryResponse:
        _scope(request.partner_id)
        offset, limit = _page(request.page_size, request.page_token)

        async def work(uow: StatusUnitOfWork) -> pb.ListStatusHistoryResponse:
            await load_partner(uow, request.partner_id, for_update=False)
            items = await uow.partners.history(request.partner_id, offset, limit)
            return pb.ListStatusHistoryResponse(
                entries=[m.history_pb(e) for e in items], next_page_token=_next_token(offset, limit, items)
            )

        return await self._read(work)

    async def EvaluatePartnerStatus(
        self, request: pb.EvaluatePartnerStatusRequest, context: Ctx
    ) -> pb.EvaluatePartnerStatusResponse:
        async def work(uow: StatusUnitOfWork) -> pb.EvaluatePartnerStatusResponse:
            entries, view = await status.evaluate(uow, request.partner_id, self._now(), self.policy)
            return pb.EvaluatePartnerStatusResponse(
                entries=[m.history_pb(e) for e in entries], status=m.status_view_pb(view)
            )

        return await self._write("EvaluatePartnerStatus", request, pb.EvaluatePartnerStatusResponse, work)

    async def GetStatusCertificate(
        self, request: pb.GetStatusCertificateRequest, context: Ctx
    ) -> pb.GetStatusCertificateResponse:
        _scope(request.partner_id)

        async def work(uow: StatusUnitOfWork) -> pb.GetStatusCertificateResponse:
            partner = await load_partner(uow, request.partner_id, for_update=False)
            return pb.GetStatusCertificateResponse(
                certificate=m.status_certificate_pb(status_certificate(partner, self._today()))
            )

        return await self._read(work)

    async def RunDailyStatusReview(
        self, request: pb.RunDailyStatusReviewRequest, context: Ctx
    ) -> pb.RunDailyStatusReviewResponse:
        # Not through run_idempotent: the review runs one transaction per partner and is
        # idempotent per day by itself (a second run finds nothing more to change).
        day, as_of = requested_job_day(request.business_date, "business_date", self._now())
        reviewed = await run_daily_review(self.uow_factory, as_of, self.policy)
        return pb.RunDailyStatusReviewResponse(business_date=day.isoformat(), reviewed_partners=reviewed)

    async def SimulatePolicyChange(
        self, request: pb.SimulatePolicyChangeRequest, context: Ctx
    ) -> pb.SimulatePolicyChangeResponse:
        """R-POL-01: read-only; the transaction is rolled back, no event is queued."""

        async def work(uow: StatusUnitOfWork) -> pb.SimulatePolicyChangeResponse:
            report = await simulation.simulate(
                uow, request.policy_document, request.as_of_date, self._now(), self.policy
            )
            return m.simulation_pb(report)

        return await self._read(work)

    async def RegisterPolicyVersion(
        self, request: pb.RegisterPolicyVersionRequest, context: Ctx
    ) -> pb.RegisterPolicyVersionResponse:
        async def work(uow: StatusUnitOfWork) -> pb.RegisterPolicyVersionResponse:
            scheduled = await policy_versions.register(
                uow, request.policy_document, request.effective_date, self._now(), self.policy, current_caller().subject
            )
            return pb.RegisterPolicyVersionResponse(version=m.policy_version_pb(scheduled, in_force=False))

        answer = await self._write("RegisterPolicyVersion", request, pb.RegisterPolicyVersionResponse, work)
        self.entitlements.policy.invalidate()
        return answer

    async def ListPolicyVersions(
        self, request: pb.ListPolicyVersionsRequest, context: Ctx
    ) -> pb.ListPolicyVersionsResponse:
        on = parse_iso_date(request.as_of_date, "as_of_date") if request.as_of_date else self._today()

        async def work(uow: StatusUnitOfWork) -> pb.ListPolicyVersionsResponse:
            scheduled, in_force = await policy_versions.versions(uow, self.policy, on)
            base = simulation_pb2.PolicyVersion(version=self.policy.version, in_force=in_force is self.policy)
            return pb.ListPolicyVersionsResponse(
                as_of_date=on.isoformat(),
                in_force_version=in_force.version,
                versions=[base, *(m.policy_version_pb(s, s.policy is in_force) for s in scheduled)],
            )

        return await self._read(work)

    # --- entitlement and leads ---------------------------------------------------------------
    async def CheckDiscountEntitlement(
        self, request: pb.CheckDiscountEntitlementRequest, context: Ctx
    ) -> pb.CheckDiscountEntitlementResponse:
        """The hot path (R-ENT-01/02, R-STS-06): one primary-key read, no other service;
        staff lists on this process give way to it (ppcore.cooperative)."""
        if not request.buyer_login and not request.partner_id:
            raise InvalidArgument.for_field(
                "buyer_login", "name the buyer's login or the partner id (R-ENT-01)", rule="R-ENT-01"
            )
        require_buyer_for_purchase(
            sales_platform=current_caller().kind is CallerKind.SALES_PLATFORM, buyer_login=request.buyer_login
        )
        with hot_call():
            d = await self.entitlements.check(
                request.buyer_login, request.partner_id, request.product_family, self._today()
            )
            return _entitlement_pb(d)

    async def ListLeadRecipients(
        self, request: pb.ListLeadRecipientsRequest, context: Ctx
    ) -> pb.ListLeadRecipientsResponse:
        if not request.city.strip():
            raise InvalidArgument.for_field("city", "is required (R-LEAD-01)", rule="R-LEAD-01")
        offset, limit = _page(request.page_size, request.page_token)

        async def work(uow: StatusUnitOfWork) -> pb.ListLeadRecipientsResponse:
            recipients = await queries.lead_recipients_in(uow, request.city, self._today())
            items = recipients[offset : offset + limit]
            return pb.ListLeadRecipientsResponse(
                recipients=[
                    entitlement_pb2.LeadRecipient(
                        partner_id=r.partner_id,
                        tier=m.tier_pb(r.tier),  # type: ignore[arg-type]
                        delivery=m.lead_delivery_pb(r.delivery),  # type: ignore[arg-type]
                        lead_taker_logins=list(r.lead_takers),
                    )
                    for r in items
                ],
                next_page_token=_next_token(offset, limit, items),
            )

        return await self._read(work)


def _entitlement_pb(d: EntitlementDecision) -> pb.CheckDiscountEntitlementResponse:
    return pb.CheckDiscountEntitlementResponse(
        allowed=d.allowed,
        discount_percent=d.discount_percent,
        tier=_TIER_NUMBERS[d.tier],  # type: ignore[arg-type]
        reason=_REASONS[d.reason],  # type: ignore[arg-type]
        blocked_until_date=m.iso(d.blocked_until_date),
        partner_id=d.partner_id,
        policy_version=d.policy_version,
        staff_query=d.staff_query,
    )


def _reasons() -> dict[Any, int]:

    return {r: entitlement_pb2.EntitlementReason.Value(f"ENTITLEMENT_REASON_{r.value}") for r in EntitlementReason}


_REASONS = _reasons()
_ALL_PARTS = frozenset(v for v in pb.SnapshotPart.values() if v != pb.SNAPSHOT_PART_UNSPECIFIED)
# The snapshot's lists hold what one page of their List RPCs would (the view shows one page).
_SNAPSHOT_LIST = 200
# Precomputed so the hot path does dictionary look-ups only.
_TIER_NUMBERS: dict[Any, int] = {None: 0, **{t: m.tier_pb(t) for t in Tier}}
