"""Token lifetimes are capped per caller kind (issue 12: "a token valid for 100 years is accepted")."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from ppcore.auth import Caller, CallerKind, TokenIssuer, TokenVerifier
from ppcore.clock import SystemClock
from ppcore.errors import Unauthenticated

SECRET = "s" * 32


def verifier() -> TokenVerifier:
    return TokenVerifier(
        algorithm="HS256",
        secret=SECRET,
        issuer="pp",
        audience="pp",
        max_lifetimes={"staff": 3600, "system": 7200},
    )


def mint(kind: CallerKind, ttl: timedelta) -> str:
    issuer = TokenIssuer(algorithm="HS256", clock=SystemClock(), secret=SECRET, issuer="pp", audience="pp")
    return issuer.mint(Caller(kind, "someone"), ttl)


def test_a_token_within_its_kinds_cap_is_accepted():
    assert verifier().verify(mint(CallerKind.SYSTEM, timedelta(hours=2))).kind is CallerKind.SYSTEM


def test_a_token_living_longer_than_its_kinds_cap_is_refused():
    """Issue 12: "cap lifetimes per caller kind (a setting)"."""
    with pytest.raises(Unauthenticated) as caught:
        verifier().verify(mint(CallerKind.STAFF, timedelta(days=365 * 100)))
    assert caught.value.reason == "TOKEN_LIFETIME_INVALID"


def test_a_kind_without_a_cap_is_refused():
    with pytest.raises(Unauthenticated):
        verifier().verify(mint(CallerKind.SALES_PLATFORM, timedelta(minutes=5)))


def test_a_token_without_iat_is_refused():
    """Issue 12: "refuse tokens without exp/iat that fall outside it"."""
    claims = {
        "sub": "x",
        "kind": "staff",
        "iss": "pp",
        "aud": "pp",
        "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
    }
    with pytest.raises(Unauthenticated) as caught:
        verifier().verify(jwt.encode(claims, SECRET, algorithm="HS256"))
    assert caught.value.reason == "TOKEN_INVALID"
