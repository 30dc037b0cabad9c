"""Shared builders for the licensing unit tests: the real policy file, ids and randomness."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest

from ppcore.policy import ProgramPolicy, load_policy


@pytest.fixture(scope="session")
def policy() -> ProgramPolicy:
    return load_policy()


@pytest.fixture
def random_bytes() -> Callable[[int], bytes]:
    """A seeded randomness source, so each test sees the same keys on every run."""
    rng = random.Random(20261125)
    return lambda n: rng.randbytes(n)


@pytest.fixture
def new_id() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"grant-{next(counter)}"


@pytest.fixture
def on_request_facts():
    from licensing_service.domain import OnRequestFacts, SiteChecklist, SiteTopic

    return OnRequestFacts(
        contract_accepted=True,
        certified_employees=1,
        site_on_product=True,
        checklist=SiteChecklist(True, True, True, True, True, True),
        original_design=True,
        site_topic=SiteTopic.WEB_DEVELOPMENT,
    )


@pytest.fixture
def grant_on_request_key(random_bytes):
    """Request and staff approval in one: the on-request key as a partner now receives it (R-NFR-04/05)."""

    def grant(portfolio, facts, policy, *, now, grant_id="g1", edition=None, site_url="https://p1.ua"):
        request = portfolio.request_on_request_key(
            key_request_id=f"kr-{grant_id}", facts=facts, site_url=site_url, edition=edition, now=now, policy=policy
        )
        _, issued = portfolio.approve_on_request_key(
            key_request_id=request.key_request_id,
            grant_id=grant_id,
            contract_accepted=facts.contract_accepted,
            certified_employees=facts.certified_employees,
            decided_by="staff:nfr",
            note="site checked",
            now=now,
            policy=policy,
            random_bytes=random_bytes,
        )
        return issued

    return grant
