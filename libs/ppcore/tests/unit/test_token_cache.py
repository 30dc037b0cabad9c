"""The verified-token cache of :class:`ppcore.auth.TokenVerifier` (issue 16: a lean call path).

A verified token is remembered until its ``exp``: never used at or after it, the cache is
bounded (least recently used goes first), and a token that fails verification is never kept.
"""

from datetime import UTC, datetime, timedelta

import pytest

from ppcore.auth import Caller, CallerKind, PartnerRole, TokenIssuer, TokenVerifier
from ppcore.errors import Unauthenticated

SECRET = "a-secret-for-the-token-cache-tests-only"
STAFF = Caller(kind=CallerKind.STAFF, subject="moderator")
PARTNER = Caller(kind=CallerKind.PARTNER_USER, subject="u1", partner_id="P-1", role=PartnerRole.MAIN)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class Counting(TokenVerifier):
    """Counts the full (signature) checks the cache did not spare."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(algorithm="HS256", secret=SECRET, issuer="pp", audience="pp", **kwargs)  # type: ignore[arg-type]
        self.full_checks = 0

    def _verify_uncached(self, token: str) -> tuple[Caller, float]:
        self.full_checks += 1
        return super()._verify_uncached(token)


def _mint(caller: Caller, ttl: timedelta, at: datetime | None = None) -> str:
    issuer = TokenIssuer(
        algorithm="HS256", clock=FixedClock(at or datetime.now(UTC)), secret=SECRET, issuer="pp", audience="pp"
    )
    return issuer.mint(caller, ttl)


def test_a_verified_token_is_checked_once_and_gives_the_same_caller() -> None:
    verifier = Counting()
    token = _mint(PARTNER, timedelta(minutes=5))
    assert verifier.verify(token) == PARTNER
    assert verifier.verify(token) == PARTNER
    assert verifier.full_checks == 1


def test_a_cached_token_is_refused_from_its_exp_on() -> None:
    now = [datetime.now(UTC).timestamp()]
    verifier = Counting(now=lambda: now[0])
    token = _mint(STAFF, timedelta(minutes=5))
    verifier.verify(token)
    exp = int(now[0]) + 300
    now[0] = exp - 1
    assert verifier.verify(token) == STAFF
    assert verifier.full_checks == 1
    now[0] = exp  # the cache no longer answers: the full check runs (and PyJWT judges the token)
    verifier.verify(token)
    assert verifier.full_checks == 2


def test_an_expired_token_is_refused_even_after_it_was_cached() -> None:
    verifier = Counting()
    token = _mint(STAFF, timedelta(seconds=-1))
    with pytest.raises(Unauthenticated) as refused:
        verifier.verify(token)
    assert refused.value.reason == "TOKEN_EXPIRED"
    # A cached token whose exp has passed is dropped and re-checked, so it is refused.
    fresh = _mint(STAFF, timedelta(minutes=5))
    verifier.verify(fresh)
    verifier._cache[fresh] = (STAFF, datetime.now(UTC).timestamp() - 1)
    checks = verifier.full_checks
    verifier.verify(fresh)
    assert verifier.full_checks == checks + 1


def test_invalid_tokens_are_never_cached() -> None:
    verifier = Counting()
    forged = _mint(STAFF, timedelta(minutes=5))[:-2] + "xx"
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            verifier.verify(forged)
    assert verifier.full_checks == 2
    assert forged not in verifier._cache


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    verifier = Counting(cache_size=2)
    a, b, c = (_mint(Caller(kind=CallerKind.SYSTEM, subject=s), timedelta(minutes=5)) for s in "abc")
    verifier.verify(a)
    verifier.verify(b)
    verifier.verify(a)  # a is now the most recent
    verifier.verify(c)  # evicts b
    assert len(verifier._cache) == 2
    assert set(verifier._cache) == {a, c}
    checks = verifier.full_checks
    verifier.verify(b)
    assert verifier.full_checks == checks + 1
