"""Ports to other services, as the use cases need them."""

from __future__ import annotations

from typing import Protocol

from points_service.domain.keys import KeyFacts


class KeyRegistry(Protocol):
    """The licensing service's key registry (R-PRJ-04)."""

    async def facts(self, license_key: str) -> KeyFacts:
        """What the registry knows about ``license_key`` (``found=False`` when it does not know it)."""
        ...
