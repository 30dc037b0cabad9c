"""The demo program: a partner program with a year of history, loaded through the
services' own gRPC APIs (so every rule applies), for `make run` and the browser tests.

    .venv/bin/python -m scripts.demo_program            # against the ports of `make run`

Thirty partners across the three statuses, six cities and the competencies; employees
with certificates; a year of renewal orders (points that expire month by month);
projects, one through quality monitoring for each Gold partner; status NFR keys (issued
by licensing when the status changes) and a few cloud NFRs; a confirmed dumping case
with its sanctions; and pending items in every staff queue. Every write carries a fixed
``request_id``, so loading twice acts once.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from licensing_service.domain.keys import LicenseKey  # the R-NFR-10 key format
from partnerprogram.compliance.v1 import case_pb2, personal_data_pb2, sanction_pb2
from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.licensing.v1 import nfr_pb2
from partnerprogram.points.v1 import monitoring_pb2, order_pb2, project_pb2
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import card_pb2, employee_pb2, partner_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from points_service.domain.monitoring import DEFAULT_QUESTIONNAIRE  # R-QM-03: one questionnaire
from ppcore.auth import Caller, CallerKind, PartnerRole, TokenIssuer
from ppcore.clock import SystemClock, add_months, kyiv_date

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
STAFF_LOGIN = "staff:moderator"
CITIES = ("Київ", "Львів", "Харків", "Одеса", "Дніпро", "Вінниця")
COMPETENCIES = ("COMPOSITE_SITE", "INTEGRATION_1C", "PHP_HOSTING", "SYSTEM_ADMINISTRATION")
ALL_COURSES = ("SM_CONTENT_MANAGER", "SM_ADMINISTRATOR", "SM_DEVELOPER", "B24_INTEGRATOR")
CERTIFIED_COURSES = ("SM_ADMINISTRATOR", "SM_DEVELOPER")


@dataclass(frozen=True)
class DemoPartner:
    slug: str
    name: str
    city: str
    target: str  # BUSINESS, CERTIFIED or GOLD: what its history earns it
    competencies: tuple[str, ...] = ()

    @property
    def main_login(self) -> str:
        return f"{self.slug}-main"


_NAMES = (
    ("zirka", "Зірка Веб"),
    ("dnipro-digital", "Дніпро Діджитал"),
    ("karpaty-soft", "Карпати Софт"),
    ("chaika", "Чайка Студія"),
    ("kashtan", "Каштан ІТ"),
    ("sonyah", "Соняшник Лаб"),
    ("prostir", "Простір Веб"),
    ("mayak", "Маяк Інтеграція"),
    ("vitryla", "Вітрила Діджитал"),
    ("kobzar", "Кобзар Код"),
    ("lelika", "Лелека Сайти"),
    ("yavir", "Явір Системи"),
    ("bereg", "Берег Хостинг"),
    ("poltava-web", "Полтава Веб"),
    ("dzherelo", "Джерело Студія"),
    ("kalyna", "Калина Діджитал"),
    ("svitanok", "Світанок Веб"),
    ("obriy", "Обрій ІТ"),
    ("veselka", "Веселка Лаб"),
    ("tavria", "Таврія Софт"),
    ("polissia", "Полісся Веб"),
    ("hortytsia", "Хортиця Код"),
    ("bukovel", "Буковель Діджитал"),
    ("stozhary", "Стожари Студія"),
    ("kyivska-rus", "Русь Інтеграція"),
    ("volyn", "Волинь Веб"),
    ("podillia", "Поділля ІТ"),
    ("slobozhan", "Слобожанщина Софт"),
    ("prykarpattia", "Прикарпаття Лаб"),
    ("chornomor", "Чорномор Веб"),
)


def demo_partners() -> list[DemoPartner]:
    """Four Gold, eight Certified, the rest Business; cities and competencies in rotation."""
    partners = []
    for i, (slug, name) in enumerate(_NAMES):
        target = "GOLD" if i < 4 else "CERTIFIED" if i < 12 else "BUSINESS"
        competencies = tuple(COMPETENCIES[(i + k) % len(COMPETENCIES)] for k in range(i % 3))
        partners.append(DemoPartner(slug, name, CITIES[i % len(CITIES)], target, competencies))
    return partners


# The logins the development sign-in offers (README lists them too).
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("zirka-main", "головний користувач «Зірка Веб» (золотий партнер)"),
    ("zirka-dev", "співробітник з повними правами «Зірка Веб»"),
    ("zirka-sales", "співробітник з обмеженими правами «Зірка Веб»"),
    ("kashtan-main", "головний користувач «Каштан ІТ» (сертифікований партнер)"),
    ("svitanok-main", "головний користувач «Світанок Веб» (бізнес-партнер)"),
    ("chornomor-main", "головний користувач «Чорномор Веб» (санкція за демпінг)"),
)
SANCTIONED = "chornomor"
PENDING_APPLICANTS = (
    ("nova-hvylia", "Нова Хвиля", "Київ"),
    ("rosa", "Роса Веб", "Львів"),
    ("grim", "Грім ІТ", "Одеса"),
)


@dataclass
class DemoSummary:
    partners: dict[str, str] = field(default_factory=dict)  # slug -> partner id
    pending_applications: list[str] = field(default_factory=list)


class _Tokens:
    def __init__(self, secret: str) -> None:
        self._issuer = TokenIssuer(
            algorithm="HS256", clock=SystemClock(), secret=secret, issuer="partnerprogram", audience="partnerprogram"
        )

    def md(self, caller: Caller) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self._issuer.mint(caller, timedelta(minutes=30))}"),)

    def staff(self) -> tuple[tuple[str, str], ...]:
        return self.md(Caller(CallerKind.STAFF, STAFF_LOGIN))

    def system(self) -> tuple[tuple[str, str], ...]:
        return self.md(Caller(CallerKind.SYSTEM, "system:demo-program"))

    def sales(self) -> tuple[tuple[str, str], ...]:
        return self.md(Caller(CallerKind.SALES_PLATFORM, "system:sales-platform"))

    def main_user(self, partner_id: str, login: str) -> tuple[tuple[str, str], ...]:
        return self.md(Caller(CallerKind.PARTNER_USER, login, partner_id, PartnerRole.MAIN))


def _ts(instant: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


class DemoLoader:
    def __init__(self, addresses: Mapping[str, str], secret: str, *, now: datetime | None = None) -> None:
        self._addresses = addresses
        self._tokens = _Tokens(secret)
        self._now = now or datetime.now(UTC)
        self._channels: list[grpc.aio.Channel] = []

    @staticmethod
    def _known(rpc: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        """The call, retried (same request_id) while the service has not yet learnt of the
        partner from status's events: points, licensing and compliance know partners only so."""

        async def call(*args: Any, **kwargs: Any) -> T:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while True:
                try:
                    return await rpc(*args, **kwargs)
                except grpc.aio.AioRpcError as error:
                    unknown = error.code() is grpc.StatusCode.NOT_FOUND and "partner" in (error.details() or "")
                    if not unknown or loop.time() > deadline:
                        raise
                await asyncio.sleep(0.2)

        return call

    def _channel(self, name: str) -> grpc.aio.Channel:
        channel = grpc.aio.insecure_channel(self._addresses[name])
        self._channels.append(channel)
        return channel

    async def load(self) -> DemoSummary:
        self.status = status_grpc.StatusServiceStub(self._channel("status"))
        self.points = points_grpc.PointsServiceStub(self._channel("points"))
        self.licensing = licensing_grpc.LicensingServiceStub(self._channel("licensing"))
        self.compliance = compliance_grpc.ComplianceServiceStub(self._channel("compliance"))
        summary = DemoSummary()
        try:
            # A few partners at a time: the services serialise their own writes anyway.
            gate = asyncio.Semaphore(6)

            async def one(partner: DemoPartner) -> None:
                async with gate:
                    summary.partners[partner.slug] = await self._partner(partner)

            await asyncio.gather(*(one(p) for p in demo_partners()))
            await self._known(self.points.RunDailyTotals)(
                points_pb.RunDailyTotalsRequest(request_id=f"demo-daily-{self._now.date().isoformat()}"),
                metadata=self._tokens.system(),
                timeout=60,
            )
            await self._queues(summary)
            await self._dumping_case(summary.partners[SANCTIONED])
        finally:
            for channel in self._channels:
                await channel.close()
        return summary

    async def _partner(self, p: DemoPartner) -> str:
        staff, system = self._tokens.staff(), self._tokens.system()
        created = await self.status.CreateApplication(
            status_pb.CreateApplicationRequest(
                request_id=f"demo-app-{p.slug}", data=_applicant(p.slug, p.name, p.city)
            ),
            metadata=system,
        )
        approved = await self.status.ApproveApplication(
            status_pb.ApproveApplicationRequest(
                request_id=f"demo-approve-{p.slug}",
                application_id=created.application.application_id,
                staff_login=STAFF_LOGIN,
            ),
            metadata=staff,
        )
        partner_id = str(approved.partner.partner_id)
        main = self._tokens.main_user(partner_id, p.main_login)
        filed = await self.status.FileContractApplication(
            status_pb.FileContractApplicationRequest(
                request_id=f"demo-contract-{p.slug}",
                partner_id=partner_id,
                requisites=partner_pb2.ContractRequisites(
                    legal_name=f"ТОВ «{p.name}»",
                    legal_address=f"м. {p.city}, вул. Центральна, 1",
                    registration_code=f"{40000000 + len(p.slug) * 1000 + ord(p.slug[0]):08d}",
                    iban="UA" + "2" * 27,
                    signatory="Директор",
                ),
                actor_login=p.main_login,
            ),
            metadata=main,
        )
        await self.status.AcceptContractApplication(
            status_pb.AcceptContractApplicationRequest(
                request_id=f"demo-accept-{p.slug}", partner_id=partner_id, contract_id=filed.contract.contract_id
            ),
            metadata=staff,
        )
        proposed = await self.status.ProposeCardChange(
            status_pb.ProposeCardChangeRequest(
                request_id=f"demo-card-{p.slug}",
                partner_id=partner_id,
                content=_card(p),
                actor_login=p.main_login,
            ),
            metadata=main,
        )
        await self.status.ApproveCardChange(
            status_pb.ApproveCardChangeRequest(
                request_id=f"demo-card-ok-{p.slug}",
                partner_id=partner_id,
                revision_id=proposed.revision.revision_id,
                note="Контакти на сайті збігаються з карткою",
                staff_login=STAFF_LOGIN,
            ),
            metadata=staff,
        )
        for code in p.competencies:
            await self.status.GrantCompetency(
                status_pb.GrantCompetencyRequest(
                    request_id=f"demo-cmp-{p.slug}-{code}",
                    partner_id=partner_id,
                    competency_code=code,
                    staff_login=STAFF_LOGIN,
                ),
                metadata=staff,
            )
        employees = [(f"{p.slug}-dev", employee_pb2.ROLE_FULL), (f"{p.slug}-sales", employee_pb2.ROLE_LIMITED)]
        if p.target == "GOLD":
            employees.append((f"{p.slug}-arch", employee_pb2.ROLE_CERTIFIED_SPECIALIST))
        for login, role in employees:
            await self.status.AttachEmployee(
                status_pb.AttachEmployeeRequest(
                    request_id=f"demo-attach-{login}",
                    partner_id=partner_id,
                    login=login,
                    role=role,
                    actor_login=p.main_login,
                ),
                metadata=main,
            )
        certified = {
            "GOLD": [p.main_login, f"{p.slug}-dev", f"{p.slug}-arch"],
            "CERTIFIED": [p.main_login, f"{p.slug}-dev"],
        }
        courses = ALL_COURSES if p.target == "GOLD" else CERTIFIED_COURSES
        for login in certified.get(p.target, [f"{p.slug}-dev"]):
            for course in courses if p.target != "BUSINESS" else courses[:1]:
                await self.status.RecordCertificate(
                    status_pb.RecordCertificateRequest(
                        request_id=f"demo-cert-{login}-{course}",
                        certificate_id=f"demo-{login}-{course}",
                        login=login,
                        course_code=course,
                        issued_date=(self._now - timedelta(days=200)).date().isoformat(),
                    ),
                    metadata=system,
                )
        await self._orders(p, partner_id)
        if p.target == "GOLD":
            await self._monitored_project(p, partner_id)
        if p.target != "BUSINESS" and p.slug in ("zirka", "dnipro-digital", "kashtan"):
            await self._known(self.licensing.IssueCloudNfr)(
                licensing_pb.IssueCloudNfrRequest(
                    request_id=f"demo-cloud-{p.slug}", partner_id=partner_id, portal_domain=f"{p.slug}.bitrix24.ua"
                ),
                metadata=system,
            )
        return partner_id

    async def _orders(self, p: DemoPartner, partner_id: str) -> None:
        """A year of renewals: an Enterprise renewal earns 50 points, a Business one 20."""
        plan = {"GOLD": (11, "SM_ENTERPRISE"), "CERTIFIED": (5, "SM_ENTERPRISE"), "BUSINESS": (3, "SM_BUSINESS")}
        count, edition = plan[p.target]
        for month in range(count):
            # Spread over the past eleven months, so points expire month by month in the cabinet.
            when = self._now - timedelta(days=20 + 30 * (month % 11), hours=len(p.slug))
            order_id = f"demo-order-{p.slug}-{month}"
            await self._known(self.points.RecordOrder)(
                points_pb.RecordOrderRequest(
                    request_id=order_id,
                    order=order_pb2.Order(
                        order_id=order_id,
                        partner_id=partner_id,
                        order_time=_ts(when),
                        lines=[
                            order_pb2.OrderLine(
                                product_code="SM",
                                edition_code=edition,
                                amount_uah="359000.00" if edition == "SM_ENTERPRISE" else "72900.00",
                                quantity=1,
                                renewal=True,
                            )
                        ],
                    ),
                ),
                metadata=self._tokens.sales(),
            )

    async def _client_key(self, slug: str, n: int, edition: str = "SM_BUSINESS") -> str:
        key = demo_key(f"{slug}-{n}")
        await self._known(self.licensing.RegisterLicenseKey)(
            licensing_pb.RegisterLicenseKeyRequest(
                request_id=f"demo-key-{slug}-{n}",
                key=key,
                edition=edition,
                owner_client_id=f"client-{slug}-{n}",
                activated=True,
                valid_until_date=(self._now + timedelta(days=365)).date().isoformat(),
            ),
            metadata=self._tokens.system(),
        )
        return key

    async def _submit_project(self, p: DemoPartner, partner_id: str, n: int, title: str) -> project_pb2.Project:
        key = await self._client_key(p.slug, n)
        submitted = await self._known(self.points.SubmitProject)(
            points_pb.SubmitProjectRequest(
                request_id=f"demo-project-{p.slug}-{n}",
                partner_id=partner_id,
                site_url=f"https://{title.lower().replace(' ', '-')}-{p.slug}.example.ua",
                license_key=key,
                edition_code="SM_BUSINESS",
                title=title,
                description="Корпоративний сайт клієнта, зданий і прийнятий замовником",
                publish_on_site=True,
            ),
            metadata=self._tokens.main_user(partner_id, p.main_login),
        )
        project: project_pb2.Project = submitted.project
        return project

    async def _monitored_project(self, p: DemoPartner, partner_id: str) -> None:
        """R-STS-03: a Gold partner takes part in quality monitoring (both stages)."""
        project = await self._submit_project(p, partner_id, 1, "Інтернет-магазин")
        await self._known(self.points.ApproveProject)(
            points_pb.ApproveProjectRequest(
                request_id=f"demo-project-ok-{p.slug}-1", project_id=project.project_id, decided_by=STAFF_LOGIN
            ),
            metadata=self._tokens.staff(),
        )
        submitted = await self._known(self.points.SubmitMonitoringResults)(
            points_pb.SubmitMonitoringResultsRequest(
                request_id=f"demo-qm-{p.slug}",
                partner_id=partner_id,
                project_id=project.project_id,
                site_url=project.site_url,
                license_key=project.license_key,
                edition_code=project.edition_code,
                client_contact=monitoring_pb2.ClientContact(name="Клієнт", phone="+380 44 000 0000"),
                test_results=[
                    monitoring_pb2.TestResult(
                        test_code="SPEED", mandatory=True, outcome=monitoring_pb2.TEST_OUTCOME_PASSED
                    )
                ],
            ),
            metadata=self._tokens.main_user(partner_id, p.main_login),
        )
        await self._known(self.points.RecordMonitoringSurvey)(
            points_pb.RecordMonitoringSurveyRequest(
                request_id=f"demo-qm-survey-{p.slug}",
                submission_id=submitted.submission.submission_id,
                scores=[monitoring_pb2.SurveyScore(question_code=q, score=5) for q in DEFAULT_QUESTIONNAIRE],
                surveyed_by=STAFF_LOGIN,
            ),
            metadata=self._tokens.staff(),
        )

    async def _queues(self, summary: DemoSummary) -> None:
        """Pending items in every staff queue."""
        staff, system = self._tokens.staff(), self._tokens.system()
        for slug, name, city in PENDING_APPLICANTS:
            created = await self.status.CreateApplication(
                status_pb.CreateApplicationRequest(request_id=f"demo-app-{slug}", data=_applicant(slug, name, city)),
                metadata=system,
            )
            summary.pending_applications.append(created.application.application_id)
        await self.status.RequestApplicationInfo(
            status_pb.RequestApplicationInfoRequest(
                request_id="demo-app-info-grim",
                application_id=summary.pending_applications[-1],
                note="Додайте витяг з ЄДР",
                staff_login=STAFF_LOGIN,
            ),
            metadata=staff,
        )
        partners = {p.slug: p for p in demo_partners()}
        for slug in ("prostir", "mayak"):
            p, partner_id = partners[slug], summary.partners[slug]
            content = _card(p)
            content.description += " Нові послуги: супровід і SEO."
            await self.status.ProposeCardChange(
                status_pb.ProposeCardChangeRequest(
                    request_id=f"demo-card-change-{slug}",
                    partner_id=partner_id,
                    content=content,
                    actor_login=p.main_login,
                ),
                metadata=self._tokens.main_user(partner_id, p.main_login),
            )
        for n, slug in enumerate(("kashtan", "sonyah", "svitanok", "obriy"), start=2):
            await self._submit_project(partners[slug], summary.partners[slug], n, "Сайт клініки")
        for slug, category, pts in (
            ("kashtan", "MARKETING_ACTIVITY", "15"),
            ("veselka", "EVENT_PARTICIPATION", "10"),
            ("tavria", "CLIENT_REVIEW", "5"),
        ):
            p, partner_id = partners[slug], summary.partners[slug]
            await self._known(self.points.SubmitPointRequest)(
                points_pb.SubmitPointRequestRequest(
                    request_id=f"demo-pr-{slug}",
                    partner_id=partner_id,
                    category=category,
                    requested_points=pts,
                    evidence_description="Вебінар для клієнтів про «Управління сайтом», 120 учасників",
                    evidence_links=[f"https://{slug}.example.ua/events/webinar"],
                ),
                metadata=self._tokens.main_user(partner_id, p.main_login),
            )
        # R-LEAD-01: site-development leads wait for moderation before distribution.
        for n, (city, what) in enumerate((("Київ", "Інтернет-магазин меблів"), ("Львів", "Корпоративний портал"))):
            await self.status.ReceiveLead(
                status_pb.ReceiveLeadRequest(request_id=f"demo-lead-{n}", city=city, description=what),
                metadata=system,
            )
        # R-NFR-04: a Certified partner asks for the key for its own site; staff verify it.
        kashtan = partners["kashtan"]
        await self._known(self.licensing.RequestOnRequestKey)(
            licensing_pb.RequestOnRequestKeyRequest(
                request_id="demo-on-request-key-kashtan",
                partner_id=summary.partners["kashtan"],
                site_url="https://kashtan.example.ua",
                edition="SM_BUSINESS",
                site_on_product=True,
                checklist=nfr_pb2.SiteChecklist(
                    company_description=True,
                    services_list=True,
                    partner_statement_in_words=True,
                    product_description_all_editions=True,
                    bitrix24_logo=True,
                    powered_by_link_on_every_page=True,
                ),
                original_design=True,
                site_topic=nfr_pb2.SITE_TOPIC_WEB_DEVELOPMENT,
            ),
            metadata=self._tokens.main_user(summary.partners["kashtan"], kashtan.main_login),
        )
        await self._known(self.compliance.OpenCase)(
            compliance_pb.OpenCaseRequest(
                request_id="demo-case-mystery-volyn",
                partner_id=summary.partners["volyn"],
                violation_type=case_pb2.VIOLATION_TYPE_MYSTERY_SHOPPER,
                mystery_shopper_kind=case_pb2.MYSTERY_SHOPPER_KIND_ANSWER_WAIT_TOO_LONG,
                violation_date=(self._now - timedelta(days=3)).date().isoformat(),
                evidence=case_pb2.Evidence(description="Очікування відповіді 95 с", answer_wait_seconds=95),
                actor_id=STAFF_LOGIN,
            ),
            metadata=staff,
        )
        for n, (kind, slug) in enumerate(
            (
                (personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_CONFIRM_LEGAL_BASIS, "kobzar"),
                (personal_data_pb2.PERSONAL_DATA_REQUEST_KIND_STOP_PROCESSING, "yavir"),
            )
        ):
            await self._known(self.compliance.OpenPersonalDataRequest)(
                compliance_pb.OpenPersonalDataRequestRequest(
                    request_id=f"demo-pd-{slug}",
                    kind=kind,
                    partner_id=summary.partners[slug],
                    subject=personal_data_pb2.DataSubject(email=f"client{n}@example.ua"),
                    description="Клієнт просить підтвердити підстави обробки його контактів",
                    received_date=(self._now - timedelta(days=2 + n)).date().isoformat(),
                    actor_id=STAFF_LOGIN,
                ),
                metadata=staff,
            )

    async def _dumping_case(self, partner_id: str) -> None:
        """R-PRC-02: a resale below list price opens a dumping case; staff confirm it and
        exclude the partner from the public list for 3 months (R-SAN-05) and list it as a
        violator (R-SAN-06)."""
        staff = self._tokens.staff()
        verdict = await self._known(self.compliance.CheckResalePrice)(
            compliance_pb.CheckResalePriceRequest(
                request_id="demo-dumping-check",
                partner_id=partner_id,
                edition_code="SM_BUSINESS",
                price_uah="59900.00",
                currency="UAH",
                order_id="demo-dumping-order",
            ),
            metadata=self._tokens.sales(),
        )
        case_id = verdict.dumping_case_id
        if not case_id:
            return
        case = (
            await self._known(self.compliance.GetCase)(compliance_pb.GetCaseRequest(case_id=case_id), metadata=staff)
        ).case
        if case.state == case_pb2.CASE_STATE_OPEN:
            await self._known(self.compliance.ConfirmCase)(
                compliance_pb.ConfirmCaseRequest(
                    request_id="demo-dumping-confirm",
                    case_id=case_id,
                    reason="Продаж нижче прайсу",
                    actor_id=STAFF_LOGIN,
                ),
                metadata=staff,
            )
        start = kyiv_date(self._now)
        end = add_months(start, 3)
        for kind in (sanction_pb2.SANCTION_KIND_PUBLIC_LIST_EXCLUSION, sanction_pb2.SANCTION_KIND_VIOLATORS_LIST):
            await self._known(self.compliance.ApplySanction)(
                compliance_pb.ApplySanctionRequest(
                    request_id=f"demo-dumping-sanction-{kind}",
                    case_id=case_id,
                    kind=kind,
                    start_date=start.isoformat(),
                    end_date=end.isoformat(),
                    actor_id=STAFF_LOGIN,
                ),
                metadata=staff,
            )


def demo_key(seed: str) -> str:
    """A well-formed client license key (R-NFR-10 format), the same for the same seed."""
    return str(LicenseKey.generate(lambda n: hashlib.sha256(seed.encode()).digest()[:n]))


def _applicant(slug: str, name: str, city: str) -> partner_pb2.ApplicantData:
    return partner_pb2.ApplicantData(
        legal_form=partner_pb2.LEGAL_FORM_LEGAL_ENTITY,
        company_name=name,
        city=city,
        contact_name="Олена Коваль",
        contact_email=f"office@{slug}.example.ua",
        contact_phone="+380 44 123 4567",
        activities=[partner_pb2.ACTIVITY_WEB_PROJECTS],
        applicant_login=f"{slug}-main",
        personal_data_consent=True,
    )


def _card(p: DemoPartner) -> card_pb2.CardContent:
    return card_pb2.CardContent(
        description=f"{p.name}: сайти й портали на «Управлінні сайтом», інтеграції та супровід.",
        logo_ref=f"logos/{p.slug}.png",
        phone="+380 44 123 4567",
        office_address=f"м. {p.city}, вул. Центральна, {len(p.slug)}",
        website_url=f"https://{p.slug}.example.ua",
        publish_on_site=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    secret = os.environ.get("PP_JWT_SECRET") or (ROOT / "var" / "dev-jwt-secret").read_text().strip()
    ports = {"status": 50051, "points": 50052, "licensing": 50053, "compliance": 50054}
    summary = asyncio.run(DemoLoader({k: f"{args.host}:{v}" for k, v in ports.items()}, secret).load())
    print(f"demo program loaded: {len(summary.partners)} partners")


if __name__ == "__main__":
    main()
