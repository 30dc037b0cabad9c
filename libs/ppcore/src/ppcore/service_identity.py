"""A process's own identity towards the others: a cached system token it renews itself."""

from __future__ import annotations

from datetime import timedelta

from ppcore.auth import Caller, CallerKind, TokenIssuer
from ppcore.clock import Clock


class ServiceToken:
    def __init__(self, issuer: TokenIssuer, clock: Clock, service: str, ttl: timedelta = timedelta(minutes=30)) -> None:
        self._issuer = issuer
        self._clock = clock
        self._caller = Caller(kind=CallerKind.SYSTEM, subject=f"service:{service}")
        self._ttl = ttl
        self._token = ""
        self._expires = clock.now()

    def __call__(self) -> str:
        now = self._clock.now()
        if not self._token or now >= self._expires - timedelta(minutes=5):
            self._token = self._issuer.mint(self._caller, self._ttl)
            self._expires = now + self._ttl
        return self._token
