from __future__ import annotations

from datetime import date, datetime

import pytest

from licensing_service.domain import (
    CloudNfrState,
    GrantState,
    HistoryAction,
    NfrKeyIssued,
    PartnerNfr,
    RevocationCause,
    VerifyReason,
    verify_key,
)
from ppcore.clock import kyiv_datetime
from ppcore.errors import FailedPrecondition, InvalidArgument
from ppcore.policy import Tier

ON = date(2026, 3, 1)
LATER = date(2026, 7, 1)


def at(d: date, hour: int = 10) -> datetime:
    """An instant on the Kyiv date ``d``."""
    return kyiv_datetime(d, hour)


@pytest.fixture
def portfolio(policy, new_id, random_bytes, on_request_facts, grant_on_request_key) -> PartnerNfr:
    portfolio = PartnerNfr("p1")
    portfolio.apply_status(
        tier=Tier.GOLD, effective_on=ON, now=at(ON), policy=policy, new_id=new_id, random_bytes=random_bytes, reason="x"
    )
    grant_on_request_key(portfolio, on_request_facts, policy, now=at(ON), grant_id="or-1")
    portfolio.issue_cloud_nfr(cloud_nfr_id="cloud-1", portal_domain="p1.bitrix24.ua", now=at(ON), policy=policy)
    portfolio.collect_events()
    return portfolio


def _lookup(portfolio: PartnerNfr):
    def lookup(key):
        for grant in portfolio.grants:
            if key in grant.all_keys():
                return grant.facts(key)
        return None

    return lookup


def test_termination_revokes_every_key_and_the_cloud_nfr(portfolio, policy):
    """R-NFR-12: termination revokes every NFR key and the cloud NFR, the reason in each history."""
    portfolio.revoke_on_termination(now=at(LATER), policy=policy, reason="partner notice")
    assert portfolio.active_grants() == ()
    assert portfolio.cloud is not None
    assert portfolio.cloud.state is CloudNfrState.REVOKED
    for grant in portfolio.grants:
        entry = grant.history[-1]
        assert (entry.action, entry.rule, entry.policy_version) == (HistoryAction.REVOKED, "R-NFR-12", policy.version)
        assert "partner notice" in entry.reason
    assert len(portfolio.collect_events()) == 6


def test_sanction_revokes_only_the_named_keys(portfolio, policy):
    """R-NFR-11: a sanction withdraws the keys it names (by key or grant id), not the others."""
    first, second = portfolio.grants[0], portfolio.grants[1]
    unmatched = portfolio.revoke_for_sanction(
        targets=[first.key.value.lower(), second.grant_id, "nope"],
        sanction_id="s-9",
        now=at(LATER),
        policy=policy,
        reason="NFR used for a client site",
    )
    assert unmatched == ("nope",)
    assert first.state is GrantState.REVOKED
    assert first.revocation_cause is RevocationCause.SANCTION
    assert "s-9" in first.history[-1].reason
    assert len(portfolio.active_grants()) == 3
    assert portfolio.cloud is not None
    assert portfolio.cloud.is_active


def test_revoked_key_verifies_as_revoked(portfolio, policy):
    """R-NFR-11, R-NFR-10: a revoked key answers REVOKED."""
    grant = portfolio.grants[0]
    portfolio.revoke_grant(grant_id=grant.grant_id, now=at(LATER), policy=policy, reason="misuse")
    verdict = verify_key(grant.key.value, _lookup(portfolio), LATER)
    assert verdict.reason is VerifyReason.REVOKED


def test_staff_revocation_needs_a_reason(portfolio, policy):
    """R-NFR-11: the reason goes in the key's history, so it is required."""
    with pytest.raises(InvalidArgument):
        portfolio.revoke_grant(grant_id=portfolio.grants[0].grant_id, now=at(LATER), policy=policy, reason=" ")


def test_sanctioned_slot_is_not_reissued_by_a_status_event(portfolio, policy, new_id, random_bytes):
    """R-NFR-01, R-NFR-11: a status confirmation does not undo a sanction's withdrawal."""
    grant = portfolio.grants[0]
    portfolio.revoke_for_sanction(
        targets=[grant.grant_id], sanction_id="s-1", now=at(LATER), policy=policy, reason="misuse"
    )
    portfolio.apply_status(
        tier=Tier.GOLD,
        effective_on=date(2027, 3, 1),
        now=at(date(2027, 3, 1)),
        policy=policy,
        new_id=new_id,
        random_bytes=random_bytes,
        reason="confirmed",
    )
    assert sum(1 for g in portfolio.grants if g.entitlement == grant.entitlement) == 1


def test_restoring_a_mistaken_revocation_reissues_the_same_grant(portfolio, policy, random_bytes):
    """R-NFR-10, R-NFR-01: the grant carries the entitlement; restoring gives it a fresh key."""
    grant = portfolio.grants[0]
    old_key = grant.key
    valid_until = grant.valid_until
    portfolio.revoke_grant(grant_id=grant.grant_id, now=at(LATER), policy=policy, reason="wrong partner")
    restored = portfolio.restore_grant(
        grant_id=grant.grant_id, now=at(LATER), policy=policy, reason="revoked by mistake", random_bytes=random_bytes
    )
    assert restored is grant
    assert (grant.state, grant.valid_until, grant.entitlement) == (GrantState.ACTIVE, valid_until, "CERTIFIED_1")
    assert grant.key != old_key
    assert [h.action for h in grant.history] == [HistoryAction.ISSUED, HistoryAction.REVOKED, HistoryAction.RESTORED]
    lookup = _lookup(portfolio)
    assert verify_key(old_key.value, lookup, LATER).reason is VerifyReason.REVOKED
    assert verify_key(grant.key.value, lookup, LATER).valid
    issued = [e for e in portfolio.collect_events() if isinstance(e, NfrKeyIssued)]
    assert issued[-1].restored


def test_only_a_revoked_grant_can_be_restored(portfolio, policy, random_bytes):
    """R-NFR-10: restoring an active grant is a failed precondition."""
    with pytest.raises(FailedPrecondition):
        portfolio.restore_grant(
            grant_id=portfolio.grants[0].grant_id, now=at(LATER), policy=policy, reason="x", random_bytes=random_bytes
        )


def test_restoring_the_cloud_nfr_keeps_domain_plan_and_validity(portfolio, policy):
    """R-NFR-07, R-NFR-12: a cloud NFR revoked by mistake comes back unchanged."""
    portfolio.revoke_on_termination(now=at(LATER), policy=policy, reason="entered in error")
    cloud = portfolio.restore_cloud_nfr(now=at(LATER), policy=policy, reason="termination cancelled")
    assert (cloud.state, cloud.plan, cloud.valid_until) == (CloudNfrState.ACTIVE, "COMPANY", date(2027, 3, 1))
