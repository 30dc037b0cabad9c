"""Shared builders for the licensing unit tests: the real policy file, ids and randomness."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date, datetime

import pytest
from ppcore.clock import kyiv_datetime
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


def at(d: date, hour: int = 10) -> datetime:
    """An instant on the Kyiv date ``d``."""
    return kyiv_datetime(d, hour)
