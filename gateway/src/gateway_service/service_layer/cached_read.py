"""A backend's sections read through the section cache: a hit makes no call (R-CARD-04)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from gateway_service.domain.cabinet import Section
from gateway_service.service_layer.ports import SectionsRead
from gateway_service.service_layer.section_cache import SectionCache, SectionsKey


@dataclass(frozen=True)
class ReadContext:
    """What of the moment and of the viewer a cached answer is keyed on."""

    program_date: Callable[[], date]
    # R-PD-01: whether the current viewer sees this partner's contacts whole (the backends
    # mask the card's phone and the monitoring clients' contacts otherwise).
    sees_contacts: Callable[[str], bool]
    # Whether the events that keep the cache exact are arriving (else it is bypassed).
    live: Callable[[], bool] = lambda: True
    # Called on every look-up with the backend and whether it was a hit (metrics).
    counted: Callable[[str, bool], None] = lambda backend, hit: None


def cached_sections_read(read: SectionsRead, backend: str, cache: SectionCache, context: ReadContext) -> SectionsRead:
    """``read`` answered from ``cache`` when it holds the answer; a whole fresh answer is kept.
    A failure (an exception) passes through and stores nothing."""
    if not cache.enabled:
        return read

    async def run(partner_id: str, wanted: frozenset[Section], deadline: float) -> Mapping[Section, object]:
        if not context.live():
            context.counted(backend, False)
            return await read.read(partner_id, wanted, deadline)
        key = SectionsKey(
            backend, partner_id, frozenset(wanted), context.program_date(), context.sees_contacts(partner_id)
        )
        found = cache.get(key)
        context.counted(backend, found is not None)
        if found is not None:
            return found
        ticket = cache.ticket()
        answer = await read.read(partner_id, wanted, deadline)
        # Kept only whole, while events arrive, and if the date did not turn during the read.
        whole = all(section in answer for section in wanted)
        if whole and context.live() and context.program_date() == key.program_date:
            cache.put(ticket, key, answer)
        return answer

    return SectionsRead(read.sections, run)
