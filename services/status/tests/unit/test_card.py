"""The partner card, moderation and public-list eligibility (R-CARD-01/02/04)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from ppcore.errors import InvalidArgument, PermissionDenied
from status_service.domain.card import CardContent
from status_service.domain.card_moderation import (
    approve_card_change,
    card_eligibility,
    propose_card_change,
    reject_card_change,
)
from status_service.domain.employees import Actor
from status_service.domain.enums import CardItem, Role
from status_service.domain.events import CardPublished
from status_service.domain.partner import Partner
from status_service.domain.staffing import attach_employee

MakePartner = Callable[..., Partner]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
COMPLETE = CardContent(
    description="Web studio",
    logo_ref="logos/p1.png",
    phone="+380 32 000 0000",
    office_address="Lviv, Horodotska 1",
    website_url="https://webstudio.example.ua",
    publish_on_site=True,
    portal_domain="webstudio.bitrix24.ua",
)


def test_public_list_needs_every_item_and_names_each_missing_one(make_partner: MakePartner) -> None:
    """R-CARD-01: publish flag, description, logo, phone, office address and website."""
    partner = make_partner()
    eligibility = card_eligibility(partner, TODAY)
    assert not eligibility.eligible
    assert eligibility.missing == (
        CardItem.PUBLISH_ON_SITE,
        CardItem.DESCRIPTION,
        CardItem.LOGO,
        CardItem.OFFICE_ADDRESS,
        CardItem.WEBSITE,
    )


def test_card_changes_take_effect_only_after_moderation(make_partner: MakePartner) -> None:
    """R-CARD-02: until approved the published card is the last approved version."""
    partner = make_partner()
    revision = propose_card_change(partner, Actor("olena"), "r1", COMPLETE, T0)
    assert not card_eligibility(partner, TODAY).eligible
    approve_card_change(partner, revision.revision_id, T0)
    assert card_eligibility(partner, TODAY).eligible
    event = partner.events[-1]
    assert isinstance(event, CardPublished) and event.public_list_eligible
    assert event.content.portal_domain == "webstudio.bitrix24.ua"
    propose_card_change(partner, Actor("olena"), "r2", CardContent(description="x"), T0)
    reject_card_change(partner, "r2", "no logo", T0)
    assert partner.card.published == COMPLETE


def test_limited_employee_may_not_edit_the_card(make_partner: MakePartner) -> None:
    """R-EMP-03 (card): only the main user and full-rights employees propose changes."""
    partner = make_partner()
    attach_employee(partner, Actor("olena"), "l", Role.LIMITED, frozenset(), T0)
    with pytest.raises(PermissionDenied):
        propose_card_change(partner, Actor("l"), "r1", COMPLETE, T0)


def test_malformed_website_is_invalid_input(make_partner: MakePartner) -> None:
    """R-CARD-01: the website must be an http(s) address."""
    partner = make_partner()
    with pytest.raises(InvalidArgument) as raised:
        propose_card_change(partner, Actor("olena"), "r1", CardContent(website_url="webstudio"), T0)
    assert raised.value.violations[0].field == "card.website_url"
