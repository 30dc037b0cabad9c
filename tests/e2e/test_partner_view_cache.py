"""The partner view answered from the gateway's cache with the five real processes (R-CARD-04):
a change in any backend shows in the next view once its event has arrived, and while the
gateway's NATS connection is down no cached answer is served.

This module has a nats-server of its own (it is killed and restarted here)."""

from collections.abc import Iterator
from datetime import date

import grpc
import httpx
import pytest
from e2e_support import eventually, md, onboard_partner, partner_view
from year_support import once_known

from partnerprogram.compliance.v1 import compliance_service_pb2 as compliance_pb
from partnerprogram.compliance.v1 import compliance_service_pb2_grpc as compliance_grpc
from partnerprogram.compliance.v1 import sanction_pb2
from partnerprogram.gateway.v1 import cabinet_pb2
from partnerprogram.licensing.v1 import licensing_service_pb2 as licensing_pb
from partnerprogram.licensing.v1 import licensing_service_pb2_grpc as licensing_grpc
from partnerprogram.points.v1 import points_service_pb2 as points_pb
from partnerprogram.points.v1 import points_service_pb2_grpc as points_grpc
from partnerprogram.status.v1 import card_pb2
from partnerprogram.status.v1 import status_service_pb2 as status_pb
from partnerprogram.status.v1 import status_service_pb2_grpc as status_grpc
from ppcore.auth import PartnerRole
from ppcore.clock import SystemClock, kyiv_date
from ppcore.testing.metrics import parse_samples, sample_sum
from ppcore.testing.nats import NatsServer

pytestmark = [pytest.mark.nats]

LOGIN = "cachestudio"


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path_factory.mktemp("nats-view-cache"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def suite_settings() -> dict[str, str]:
    return {"LOG_LEVEL": "WARNING", "METRICS_PORT": "free"}


@pytest.fixture(scope="module")
async def partner_id(suite, tokens):
    async with grpc.aio.insecure_channel(suite.address("status")) as channel:
        return await onboard_partner(channel, tokens, LOGIN)


async def _view(suite, tokens, partner_id: str) -> cabinet_pb2.PartnerCabinet:
    return await partner_view(suite.address("gateway"), md(tokens.staff()), partner_id)


async def _whole_view(suite, tokens, partner_id: str, accept=lambda c: True) -> cabinet_pb2.PartnerCabinet:
    return await eventually(lambda: _view(suite, tokens, partner_id), lambda c: not c.partial and accept(c))


async def _propose_card(suite, tokens, partner_id: str, description: str) -> None:
    async with grpc.aio.insecure_channel(suite.address("status")) as channel:
        await status_grpc.StatusServiceStub(channel).ProposeCardChange(
            status_pb.ProposeCardChangeRequest(
                request_id=f"card-{description}",
                partner_id=partner_id,
                content=card_pb2.CardContent(description=description),
            ),
            metadata=md(tokens.partner_user(partner_id, PartnerRole.MAIN, subject=LOGIN)),
        )


async def _cache_hits(suite) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"http://127.0.0.1:{suite.metrics_ports['gateway']}/metrics")).text
    return sample_sum(parse_samples(text), "pp_view_cache_lookups_total", outcome="hit")


async def test_a_change_in_each_backend_shows_in_the_next_view_once_its_event_arrives(suite, tokens, partner_id):
    """Status (a card change proposed: PartnerDataChanged), points (a project submitted:
    PartnerDataChanged), licensing (a cloud NFR issued) and compliance (a sanction applied)."""
    await _whole_view(suite, tokens, partner_id)
    hits = await _cache_hits(suite)
    await _view(suite, tokens, partner_id)
    assert await _cache_hits(suite) > hits  # the view is answered from the cache

    await _propose_card(suite, tokens, partner_id, "Composite sites")
    await _whole_view(suite, tokens, partner_id, lambda c: c.card.card.pending.content.description == "Composite sites")

    main = md(tokens.partner_user(partner_id, PartnerRole.MAIN, subject=LOGIN))
    async with grpc.aio.insecure_channel(suite.address("licensing")) as channel:
        await licensing_grpc.LicensingServiceStub(channel).RegisterLicenseKey(
            licensing_pb.RegisterLicenseKeyRequest(
                request_id="key-cache",
                key="SME-01-CACHEKEY0001",
                edition="SM_BUSINESS",
                owner_client_id="client-cache",
                activated=True,
            ),
            metadata=md(tokens.system()),
        )
    async with grpc.aio.insecure_channel(suite.address("points")) as channel:
        await once_known(
            lambda: points_grpc.PointsServiceStub(channel).SubmitProject(
                points_pb.SubmitProjectRequest(
                    request_id="project-cache",
                    partner_id=partner_id,
                    site_url="shop.cachestudio.example.ua",
                    license_key="SME-01-CACHEKEY0001",
                    title="Shop",
                ),
                metadata=main,
            )
        )
    await _whole_view(suite, tokens, partner_id, lambda c: len(c.projects.projects) == 1)

    async with grpc.aio.insecure_channel(suite.address("licensing")) as channel:
        await licensing_grpc.LicensingServiceStub(channel).IssueCloudNfr(
            licensing_pb.IssueCloudNfrRequest(
                request_id="cloud-cache", partner_id=partner_id, portal_domain="cachestudio.bitrix24.ua"
            ),
            metadata=main,
        )
    await _whole_view(suite, tokens, partner_id, lambda c: c.nfr.cloud_nfr.portal_domain == "cachestudio.bitrix24.ua")

    today = kyiv_date(SystemClock().now())
    staff = md(tokens.staff())
    async with grpc.aio.insecure_channel(suite.address("compliance")) as channel:
        compliance = compliance_grpc.ComplianceServiceStub(channel)
        verdict = await once_known(
            lambda: compliance.CheckResalePrice(
                compliance_pb.CheckResalePriceRequest(
                    request_id="price-cache",
                    partner_id=partner_id,
                    edition_code="SM_BUSINESS",
                    price_uah="1.00",
                    currency="UAH",
                    order_id="order-cache",
                ),
                metadata=md(tokens.sales_platform()),
            )
        )
        await compliance.ConfirmCase(
            compliance_pb.ConfirmCaseRequest(
                request_id="confirm-cache", case_id=verdict.dumping_case_id, reason="below list", actor_id="staff:1"
            ),
            metadata=staff,
        )
        await compliance.ApplySanction(
            compliance_pb.ApplySanctionRequest(
                request_id="sanction-cache",
                case_id=verdict.dumping_case_id,
                kind=sanction_pb2.SANCTION_KIND_SEMINAR_REFUSAL,
                start_date=today.isoformat(),
                end_date=date(today.year + 1, 12, 31).isoformat(),
                actor_id="staff:1",
            ),
            metadata=staff,
        )
    await _whole_view(suite, tokens, partner_id, lambda c: len(c.sanctions.sanctions) == 1)


async def test_while_nats_is_down_no_cached_answer_is_served(suite, tokens, partner_id, nats_server):
    """The gateway cannot hear of changes while its NATS connection is down, so the views of
    that time ask the backends; once it is back the cache starts again from empty."""
    before = await _whole_view(suite, tokens, partner_id)
    await _view(suite, tokens, partner_id)  # cached
    nats_server.kill()
    try:
        await _propose_card(suite, tokens, partner_id, "Proposed while NATS was down")
        during = await _whole_view(
            suite, tokens, partner_id, lambda c: c.card.card.pending.content.description.endswith("was down")
        )
        assert during.card.card.pending.content.description != before.card.card.pending.content.description
    finally:
        nats_server.start()
    await _propose_card(suite, tokens, partner_id, "Proposed after NATS came back")
    await _whole_view(suite, tokens, partner_id, lambda c: c.card.card.pending.content.description.endswith("back"))
    hits = await _cache_hits(suite)

    async def hits_after_a_view() -> float:
        await _view(suite, tokens, partner_id)
        return await _cache_hits(suite)

    await eventually(hits_after_a_view, lambda now: now > hits)  # live again
