"""What the gateway needs from the four backends, as ports; adapters speak gRPC."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from gateway_service.domain.cabinet import Section


class BackendFailure(Exception):
    """A backend did not give a usable answer; ``code`` is the gRPC status name."""

    def __init__(self, backend: str, code: str, message: str = "", reason: str = "") -> None:
        super().__init__(f"{backend}: {code} {message}".strip())
        self.backend = backend
        self.code = code
        self.message = message
        self.reason = reason  # the backend's ErrorInfo reason, when it gave one


# One section's read: (partner_id, deadline in seconds) -> the section's content.
SectionRead = Callable[[str, float], Coroutine[Any, Any, object]]

# A read answering several sections in one backend call:
# (partner_id, the sections wanted, deadline in seconds) -> each wanted section's content.
SectionsReader = Callable[[str, frozenset[Section], float], Coroutine[Any, Any, Mapping[Section, object]]]


@dataclass(frozen=True)
class SectionsRead:
    """One backend call and the sections it can answer; only the wanted ones are asked for."""

    sections: frozenset[Section]
    read: SectionsReader


def one_section(section: Section, read: SectionRead) -> SectionsRead:
    """A backend call that answers a single section."""

    async def run(partner_id: str, wanted: frozenset[Section], deadline: float) -> Mapping[Section, object]:
        return {section: await read(partner_id, deadline)}

    return SectionsRead(frozenset({section}), run)
