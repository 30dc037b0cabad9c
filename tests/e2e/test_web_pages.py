"""The web pages in headless Chromium (Debian's, driven by Playwright) against the whole
suite as separate processes, loaded with the demo program through the services' APIs.

Screenshots of every page at desktop and phone widths go to var/artifacts/web/ (not
committed). R-PRT-03/04, R-PRJ-01, R-EMP-03, R-CARD-03, R-SAN-05.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from e2e_support import eventually, md

from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.status.v1 import status_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.testing.plugin import TEST_JWT_SECRET
from scripts.demo_program import DemoLoader, DemoSummary, demo_key

# The module starts five processes, loads the demo program and a browser: minutes on a busy machine.
pytestmark = [pytest.mark.nats, pytest.mark.timeout(900)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "web"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    base: str
    demo: DemoSummary
    status: Any
    licensing: Any
    browser: Any

    async def page(self, *, javascript: bool = True, viewport: dict[str, int] = DESKTOP) -> Any:
        context = await self.browser.new_context(viewport=viewport, java_script_enabled=javascript, locale="uk-UA")
        return await context.new_page()

    async def sign_in(self, page: Any, who: str) -> None:
        await page.goto(f"{self.base}/auth/signin")
        await page.check(f"input[name=who][value='{who}']")
        await page.locator("form[action='/auth/dev'] button[type=submit]").click()
        await page.wait_for_load_state()


async def _shot(page: Any, name: str) -> None:
    """The page at desktop and phone widths, whole length."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.set_viewport_size(DESKTOP)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="module")
async def site(suite) -> AsyncIterator[Site]:
    """The pages as the gateway process serves them on its HTTP side, the demo program loaded."""
    from playwright.async_api import async_playwright

    addresses = {name: suite.address(name) for name in ("status", "points", "licensing", "compliance")}
    started = time.monotonic()
    demo = await DemoLoader(addresses, TEST_JWT_SECRET).load()
    print(f"demo program loaded in {time.monotonic() - started:.1f} s")
    status_channel = grpc.aio.insecure_channel(suite.address("status"))
    licensing_channel = grpc.aio.insecure_channel(suite.address("licensing"))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield Site(
                f"http://127.0.0.1:{suite.http_port}",
                demo,
                status_grpc.StatusServiceStub(status_channel),
                licensing_grpc.LicensingServiceStub(licensing_channel),
                browser,
            )
        finally:
            await browser.close()
            await status_channel.close()
            await licensing_channel.close()


async def _tier(site: Site, tokens: Any, partner_id: str) -> int:
    reply = await site.status.GetPartnerStatus(
        status_pb.GetPartnerStatusRequest(partner_id=partner_id), metadata=md(tokens.staff())
    )
    return int(reply.status.tier)


async def test_staff_approve_an_application_from_the_queue_and_the_partner_is_business(site, tokens):
    """R-PRT-03: the queue shows pending applications oldest first with their deadline;
    R-PRT-04: approval makes a partner with Business status, shown on its page."""
    page = await site.page()
    await site.sign_in(page, "staff:moderator")
    await _shot(page, "staff-dashboard")
    await page.get_by_role("link", name="Заявки на участь").click()
    await page.wait_for_load_state()
    rows = page.locator("tbody tr")
    companies = await rows.locator("td[data-label='Компанія']").all_inner_texts()
    assert "Нова Хвиля" in companies
    await _shot(page, "staff-queue-applications")
    row = rows.filter(has_text="Нова Хвиля")
    await row.get_by_role("link", name="Відкрити").click()
    await page.wait_for_load_state()
    await _shot(page, "staff-application")
    await page.locator("#approve").click()
    await page.wait_for_url("**/staff/partners/*")
    assert await page.get_by_test_id("tier").inner_text() == "Бізнес-партнер"
    assert "Заявку схвалено" in await page.locator(".flash").inner_text()
    await _shot(page, "staff-partner")
    partner_id = page.url.rsplit("/", 1)[1]
    assert await _tier(site, tokens, partner_id) == status_pb2.PARTNER_TIER_BUSINESS
    await page.context.close()


async def test_a_double_clicked_approval_acts_once(site, tokens):
    """A double click approves once. The page's script sends the form once; and the same
    form sent again (a browser without the script, a retry after a lost answer) carries
    the same request_id, so the service answers it with the first answer instead of
    refusing an already approved application: one partner, one Business grant."""
    page = await site.page()
    await site.sign_in(page, "staff:moderator")
    application_id = site.demo.pending_applications[1]  # "Роса Веб"
    await page.goto(f"{site.base}/staff/applications/{application_id}")
    form = page.locator(f"form[action$='/{application_id}/approve']")
    fields = {name: await form.locator(f"input[name={name}]").get_attribute("value") for name in ("csrf", "request_id")}
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    await page.locator("#approve").dblclick()
    await page.wait_for_url("**/staff/partners/*")
    partner_url = page.url
    assert "Дію відхилено" not in await page.content()
    replays = await asyncio.gather(
        *(
            page.request.post(f"{site.base}/staff/applications/{application_id}/approve", form=fields, max_redirects=0)
            for _ in range(2)
        )
    )
    assert [r.status for r in replays] == [303, 303], [r.status for r in replays]
    assert {r.headers["location"] for r in replays} == {partner_url.removeprefix(site.base)}
    assert len(posts) == 1, posts  # the script kept the double click to one post
    partner_id = partner_url.rsplit("/", 1)[1]
    history = await site.status.ListStatusHistory(
        status_pb.ListStatusHistoryRequest(partner_id=partner_id), metadata=md(tokens.staff())
    )
    assert [h.to_tier for h in history.entries] == [status_pb2.PARTNER_TIER_BUSINESS]
    partners = await site.status.ListPartners(status_pb.ListPartnersRequest(page_size=500), metadata=md(tokens.staff()))
    assert sum(1 for p in partners.partners if p.company_name == "Роса Веб") == 1
    # A new request_id is a new decision, and the service refuses to approve twice.
    fields["request_id"] = "another-decision"
    again = await page.request.post(
        f"{site.base}/staff/applications/{application_id}/approve", form=fields, max_redirects=0
    )
    assert again.status == 409
    await page.context.close()


async def test_a_partner_user_submits_a_project_and_sees_it_under_review(site, tokens):
    """R-PRJ-01: a project added to the card goes to "under review"."""
    await site.licensing.RegisterLicenseKey(
        licensing_pb.RegisterLicenseKeyRequest(
            request_id="web-test-key",
            key=demo_key("web-test"),
            edition="SM_BUSINESS",
            owner_client_id="client-web-test",
            activated=True,
            valid_until_date="2030-01-01",
        ),
        metadata=md(tokens.system()),
    )
    page = await site.page()
    await site.sign_in(page, "zirka-main")
    await page.wait_for_url("**/cabinet")
    await _shot(page, "cabinet-main")
    await page.locator("#projects summary").click()
    await page.fill("#title", "Портал дистриб'ютора")
    await page.fill("#site_url", "https://portal-distributor.example.ua")
    await page.fill("#license_key", demo_key("web-test"))
    await page.select_option("#edition_code", "SM_BUSINESS")
    await page.fill("#description", "B2B-портал з інтеграцією 1С")
    await page.locator("#projects form button[type=submit]").click()
    await page.wait_for_url("**/cabinet*")
    assert "надіслано на модерацію" in await page.locator(".flash").inner_text()
    row = page.locator("#projects tbody tr").filter(has_text="Портал дистриб'ютора")
    assert await row.locator("td.state").inner_text() == "на розгляді"
    await page.context.close()


async def test_a_limited_employee_does_not_see_purchase_sections(site):
    """R-EMP-03: a limited employee sees the partner sections except "Buy" and the
    cabinet's figures; the main user of the same partner sees them (so the check can fail)."""
    main = await site.page()
    await site.sign_in(main, "zirka-main")
    assert await main.locator("#purchase").count() == 1
    assert await main.locator("#points").count() == 1
    await main.context.close()

    limited = await site.page()
    await site.sign_in(limited, "zirka-sales")
    await limited.wait_for_url("**/cabinet")
    assert await limited.locator("#status").count() == 1
    assert await limited.locator("#projects").count() == 1
    for section in ("#purchase", "#points", "#keys", "#point-requests", "#sanctions"):
        assert await limited.locator(section).count() == 0, section
    assert "Купівля" not in await limited.locator("main").inner_text()
    assert await limited.locator("#projects form").count() == 0  # may not file projects either
    await _shot(limited, "cabinet-limited")
    await limited.context.close()


async def test_the_directory_hides_a_sanctioned_partner(site, tokens):
    """R-CARD-03 ranked and filtered; R-SAN-05: a partner excluded by a sanction is not listed."""
    page = await site.page()

    async def listed() -> list[str]:
        await page.goto(f"{site.base}/")
        return await page.locator(".card h2").all_inner_texts()

    names = await eventually(listed, lambda names: any("Зірка Веб" in n for n in names), wait=30)
    assert not any("Чорномор Веб" in n for n in names)
    assert any("Волинь Веб" in n for n in names)  # a partner with only an open case stays listed
    ranks = [int(n.split()[0]) for n in names]
    assert ranks == sorted(ranks)
    await _shot(page, "directory")
    await page.select_option("#status", "GOLD")
    await page.locator("form.filters button[type=submit]").click()
    await page.wait_for_load_state()
    badges = await page.locator(".card .badge.tier-gold").count()
    assert badges == await page.locator(".card").count() > 0
    await page.fill("#city", "Львів")
    await page.select_option("#status", "")
    await page.locator("form.filters button[type=submit]").click()
    await page.wait_for_load_state()
    cities = await page.locator(".card").evaluate_all("cards => cards.map(c => c.dataset.city)")
    assert cities and set(cities) == {"Львів"}
    await page.context.close()


async def test_every_page_renders_at_desktop_and_phone_widths(site):
    """Screenshots of each page (artifacts), and no page answers with an error."""
    staff = await site.page()
    await site.sign_in(staff, "staff:moderator")
    for key in (
        "applications",
        "card-changes",
        "projects",
        "point-requests",
        "cases",
        "sanctions",
        "leads",
        "on-request-keys",
        "personal-data",
    ):
        response = await staff.goto(f"{site.base}/staff/queues/{key}")
        assert response.status == 200, key
        assert await staff.locator("tbody tr").count() > 0, f"the demo leaves the {key} queue empty"
        await _shot(staff, f"staff-queue-{key}")
        link = staff.locator("tbody tr a.button").first
        if await link.count():
            await link.click()
            await staff.wait_for_load_state()
            assert "Помилка" not in await staff.title(), key
            await _shot(staff, f"staff-detail-{key}")
    csv = await staff.request.get(f"{site.base}/staff/queues/projects.csv")
    assert csv.ok and (await csv.text()).startswith("Партнер,Проєкт,Сайт")
    await staff.goto(f"{site.base}/staff/partners")
    await _shot(staff, "staff-partners")
    await staff.get_by_role("link", name="Зірка Веб").click()
    await staff.wait_for_load_state()
    await _shot(staff, "staff-partner-gold")
    await staff.context.close()
    public = await site.page()
    await public.goto(f"{site.base}/auth/signin")
    await _shot(public, "signin")
    await public.context.close()


async def test_the_readme_demo_buyer_gets_the_partner_discount(site, tokens):
    """R-ENT-01/02: the README's example answers for a demo buyer (a Gold main user)."""
    reply = await site.status.CheckDiscountEntitlement(
        status_pb.CheckDiscountEntitlementRequest(buyer_login="zirka-main", product_family="SITE_MANAGEMENT"),
        metadata=md(tokens.sales_platform()),
    )
    assert reply.allowed
    assert reply.discount_percent == 50
