"""The partner card, its moderation and public-list eligibility (R-CARD-01/02)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlparse

from ppcore.errors import InvalidArgument, NotFound
from status_service.domain.enums import CardItem, CardRevisionState

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")


@dataclass(frozen=True)
class CardContent:
    description: str = ""
    logo_ref: str = ""
    phone: str = ""
    office_address: str = ""
    website_url: str = ""
    publish_on_site: bool = False
    # The Bitrix24 portal that receives the cloud NFR (R-NFR-07); no custom domains.
    portal_domain: str = ""
    # The city of the office: the partner's city for leads (R-LEAD-01), one canonical place.
    office_city: str = ""


def validate_card_content(content: CardContent) -> None:
    """Malformed values are refused at input; missing ones only hide the card (R-CARD-01)."""
    if content.website_url:
        parsed = urlparse(content.website_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname or "." not in parsed.hostname:
            raise InvalidArgument.for_field(
                "card.website_url", "must be an http(s) address (R-CARD-01)", reason="INVALID_URL", rule="R-CARD-01"
            )
    if content.phone and not _PHONE.match(content.phone):
        raise InvalidArgument.for_field(
            "card.phone", "is not a phone number (R-CARD-01)", reason="INVALID_PHONE", rule="R-CARD-01"
        )
    if content.portal_domain and not _DOMAIN.match(content.portal_domain.lower()):
        raise InvalidArgument.for_field(
            "card.portal_domain", "must be a portal domain name such as acme.bitrix24.ua", reason="INVALID_DOMAIN"
        )


def missing_card_items(content: CardContent) -> tuple[CardItem, ...]:
    """Every card item the public list still needs, in a stable order (R-CARD-01)."""
    required = (
        (CardItem.PUBLISH_ON_SITE, content.publish_on_site),
        (CardItem.DESCRIPTION, bool(content.description.strip())),
        (CardItem.LOGO, bool(content.logo_ref.strip())),
        (CardItem.PHONE, bool(content.phone.strip())),
        (CardItem.OFFICE_ADDRESS, bool(content.office_address.strip())),
        (CardItem.WEBSITE, bool(content.website_url.strip())),
    )
    return tuple(item for item, present in required if not present)


@dataclass(frozen=True)
class PublicListEligibility:
    eligible: bool
    missing: tuple[CardItem, ...]


def public_list_eligibility(
    published: CardContent | None, *, terminated: bool, excluded_by_sanction: bool
) -> PublicListEligibility:
    """Listed only with a complete, approved, published card (R-CARD-01); sanctions exclude (R-SAN-05)."""
    missing: list[CardItem] = []
    if terminated:
        missing.append(CardItem.ACTIVE_PARTNERSHIP)
    if excluded_by_sanction:
        missing.append(CardItem.NOT_EXCLUDED_BY_SANCTION)
    if published is None:
        missing.append(CardItem.APPROVED_CARD)
    else:
        missing.extend(missing_card_items(published))
    return PublicListEligibility(eligible=not missing, missing=tuple(missing))


@dataclass(frozen=True)
class CardRevision:
    revision_id: str
    content: CardContent
    proposed_by: str
    proposed_time: datetime
    state: CardRevisionState = CardRevisionState.PENDING
    moderator_note: str = ""
    decided_time: datetime | None = None


@dataclass
class PartnerCard:
    """The published card is always the last approved version (R-CARD-02)."""

    published: CardContent | None
    published_revision_id: str = ""
    pending: CardRevision | None = None

    def propose(self, revision_id: str, content: CardContent, proposed_by: str, now: datetime) -> CardRevision:
        """A new proposal supersedes a pending one; nothing is published yet (R-CARD-02)."""
        validate_card_content(content)
        self.pending = CardRevision(revision_id, content, proposed_by, now)
        return self.pending

    def _require_pending(self, revision_id: str) -> CardRevision:
        if self.pending is None or self.pending.revision_id != revision_id:
            raise NotFound(
                reason="CARD_REVISION_NOT_FOUND",
                message=f"revision_id: {revision_id} is not the card's pending revision (R-CARD-02)",
                rule="R-CARD-02",
            )
        return self.pending

    def approve(self, revision_id: str, now: datetime, note: str = "") -> CardRevision:
        revision = self._require_pending(revision_id)
        decided = replace(revision, state=CardRevisionState.APPROVED, decided_time=now, moderator_note=note)
        self.published = revision.content
        self.published_revision_id = revision_id
        self.pending = None
        return decided

    def reject(self, revision_id: str, note: str, now: datetime) -> CardRevision:
        revision = self._require_pending(revision_id)
        if not note.strip():
            raise InvalidArgument.for_field(
                "note",
                "a rejected card change needs a moderator note (R-CARD-02)",
                reason="FIELD_REQUIRED",
                rule="R-CARD-02",
            )
        self.pending = None
        return replace(revision, state=CardRevisionState.REJECTED, decided_time=now, moderator_note=note)
