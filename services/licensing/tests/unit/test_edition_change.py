from __future__ import annotations

from datetime import date, datetime

import pytest

from licensing_service.domain import ChangeRequestState, NfrKeyEditionChanged, PartnerNfr
from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import Tier

ON = date(2026, 4, 1)


def at(d: date, hour: int = 10) -> datetime:
    """An instant on the Kyiv date ``d``."""
    return kyiv_datetime(d, hour)


@pytest.fixture
def gold(policy, new_id, random_bytes) -> PartnerNfr:
    portfolio = PartnerNfr("p1")
    portfolio.apply_status(
        tier=Tier.GOLD, effective_on=ON, now=at(ON), policy=policy, new_id=new_id, random_bytes=random_bytes, reason="x"
    )
    portfolio.collect_events()
    return portfolio


def test_approved_request_changes_one_status_key_to_a_lower_edition(gold, policy):
    """R-NFR-02: one status key may change to any lower edition once staff approve."""
    grant = gold.grants[0]
    request = gold.request_edition_change(
        change_request_id="c1", grant_id=grant.grant_id, to_edition="SM_STANDARD", now=at(ON), policy=policy
    )
    assert request.state is ChangeRequestState.PENDING
    assert grant.edition == "SM_BUSINESS"
    gold.approve_edition_change(change_request_id="c1", now=at(ON), policy=policy)
    assert grant.edition == "SM_STANDARD"
    assert grant.history[-1].detail == "SM_STANDARD"
    (event,) = gold.collect_events()
    assert isinstance(event, NfrKeyEditionChanged)
    assert (event.from_edition, event.to_edition) == ("SM_BUSINESS", "SM_STANDARD")


def test_second_edition_change_is_refused(gold, policy):
    """R-NFR-02: at most one key of the partner may change edition."""
    gold.request_edition_change(
        change_request_id="c1", grant_id=gold.grants[0].grant_id, to_edition="SM_START", now=at(ON), policy=policy
    )
    gold.approve_edition_change(change_request_id="c1", now=at(ON), policy=policy)
    with pytest.raises(FailedPrecondition) as refused:
        gold.request_edition_change(
            change_request_id="c2", grant_id=gold.grants[1].grant_id, to_edition="SM_START", now=at(ON), policy=policy
        )
    assert refused.value.reason == "EDITION_CHANGE_LIMIT_REACHED"


def test_pending_request_counts_against_the_limit(gold, policy):
    """R-NFR-02: two requests at once cannot both change a key."""
    gold.request_edition_change(
        change_request_id="c1", grant_id=gold.grants[0].grant_id, to_edition="SM_START", now=at(ON), policy=policy
    )
    with pytest.raises(FailedPrecondition):
        gold.request_edition_change(
            change_request_id="c2", grant_id=gold.grants[1].grant_id, to_edition="SM_START", now=at(ON), policy=policy
        )


@pytest.mark.parametrize("edition", ["SM_BUSINESS", "SM_ENTERPRISE", "B24_BOX_COMPANY"])
def test_change_to_same_higher_or_other_family_edition_is_invalid(gold, policy, edition):
    """R-NFR-02: only a lower edition of the same product."""
    with pytest.raises(InvalidArgument) as refused:
        gold.request_edition_change(
            change_request_id="c1", grant_id=gold.grants[0].grant_id, to_edition=edition, now=at(ON), policy=policy
        )
    assert refused.value.reason == "EDITION_NOT_LOWER"


def test_rejected_request_frees_the_one_change(gold, policy):
    """R-NFR-02: a rejected request does not use up the change."""
    gold.request_edition_change(
        change_request_id="c1", grant_id=gold.grants[0].grant_id, to_edition="SM_START", now=at(ON), policy=policy
    )
    gold.reject_edition_change(change_request_id="c1", now=at(ON), note="not justified")
    gold.request_edition_change(
        change_request_id="c2", grant_id=gold.grants[1].grant_id, to_edition="SM_START", now=at(ON), policy=policy
    )
    with pytest.raises(FailedPrecondition):
        gold.approve_edition_change(change_request_id="c1", now=at(ON), policy=policy)


def test_on_request_key_edition_cannot_be_changed(policy, on_request_facts, grant_on_request_key):
    """R-NFR-02: the change applies to status keys only."""
    portfolio = PartnerNfr("p1")
    grant = grant_on_request_key(portfolio, on_request_facts, policy, now=at(ON))
    with pytest.raises(FailedPrecondition):
        portfolio.request_edition_change(
            change_request_id="c1", grant_id=grant.grant_id, to_edition="SM_START", now=at(ON), policy=policy
        )
