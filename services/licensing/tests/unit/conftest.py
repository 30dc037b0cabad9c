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
