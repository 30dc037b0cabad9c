import pytest

from ppcore.policy import ProgramPolicy, load_policy


@pytest.fixture(scope="session")
def policy() -> ProgramPolicy:
    return load_policy()
