"""The backends' whole answers for the partner view, kept in memory and dropped by their events.

A view is normally answered from here, so the four backend calls of R-CARD-04 are made
only after a change. An answer is kept exact by the backends' own events, not by time:

- the key holds everything a backend's answer depends on: the backend, the partner, the
  sections wanted (a limited employee wants fewer, R-EMP-03), the program date (expiring
  points, active sanctions and valid-until move with it) and whether the viewer sees the
  partner's contacts whole (R-PD-01: the only thing of the viewer the backends vary on);
- an event of backend B naming partner P drops P's answers of B; one naming no partner
  drops every answer of B; a feed that is not live (not subscribed yet, disconnected, a
  gap) turns the cache off until it is live again, and then everything is dropped, since
  events may have been missed meanwhile;
- a read that started before an invalidation is not stored (its answer may predate the
  change): each store carries the ticket it was given when its read began;
- only whole answers are stored (the caller stores nothing on a failure); the size is
  bounded (least recently used out first) and ``max_age_seconds`` is a safety net
  (0 turns the cache off).

Pure: no I/O, time is passed in; the caller counts hits and misses from what it gets.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gateway_service.domain.cabinet import Section

Answer = Mapping[Section, object]


@dataclass(frozen=True)
class SectionsKey:
    backend: str
    partner_id: str
    sections: frozenset[Section]
    program_date: date
    sees_contacts: bool  # R-PD-01: the viewer sees the partner's contacts unmasked


@dataclass(frozen=True)
class Ticket:
    """When a read began, in invalidation order: a store is refused if anything it covers was dropped since."""

    sequence: int


class Dropped(StrEnum):
    PARTNER = "partner"  # one partner's answers of one backend
    BACKEND = "backend"  # every answer of one backend (an event naming no partner)
    ALL = "all"  # everything (the feed came back; events may have been missed)


class SectionCache:
    def __init__(
        self,
        *,
        max_entries: int,
        max_age_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_entries = max_entries
        self._max_age = max_age_seconds
        self._monotonic = monotonic
        self._entries: OrderedDict[SectionsKey, tuple[float, Answer]] = OrderedDict()
        self._keys_of: dict[tuple[str, str], set[SectionsKey]] = {}
        self._sequence = 0
        # The last invalidation sequence per (backend, partner), per backend, and of everything.
        self._partner_dropped: dict[tuple[str, str], int] = {}
        self._backend_dropped: dict[str, int] = {}
        self._all_dropped = 0
        self._live = False

    @property
    def enabled(self) -> bool:
        return self._max_age > 0 and self._max_entries > 0

    @property
    def live(self) -> bool:
        return self._live

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: SectionsKey) -> Answer | None:
        if not self._live:
            return None
        found = self._entries.get(key)
        if found is None:
            return None
        stored_at, answer = found
        if self._monotonic() - stored_at >= self._max_age:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return answer

    def ticket(self) -> Ticket:
        return Ticket(self._sequence)

    def put(self, ticket: Ticket, key: SectionsKey, answer: Answer) -> bool:
        """Store a whole answer read under ``ticket``; False when it may be stale or the cache is off."""
        if not (self.enabled and self._live) or self._dropped_since(ticket, key):
            return False
        if key in self._entries:
            self._entries.move_to_end(key)
        self._entries[key] = (self._monotonic(), answer)
        self._keys_of.setdefault((key.backend, key.partner_id), set()).add(key)
        while len(self._entries) > self._max_entries:
            self._remove(next(iter(self._entries)))
        return True

    def drop_partner(self, backend: str, partner_id: str) -> int:
        """An event of ``backend`` about ``partner_id``; returns how many answers went."""
        self._sequence += 1
        self._partner_dropped[(backend, partner_id)] = self._sequence
        if len(self._partner_dropped) > 4 * self._max_entries:
            # Bounded memory: forget per-partner sequences by refusing every read in flight.
            self._partner_dropped.clear()
            self._all_dropped = self._sequence
        keys = self._keys_of.pop((backend, partner_id), set())
        for key in keys:
            self._entries.pop(key, None)
        return len(keys)

    def drop_backend(self, backend: str) -> int:
        self._sequence += 1
        self._backend_dropped[backend] = self._sequence
        gone = [key for key in self._entries if key.backend == backend]
        for key in gone:
            self._remove(key)
        return len(gone)

    def drop_all(self) -> int:
        self._sequence += 1
        self._all_dropped = self._sequence
        self._partner_dropped.clear()
        count = len(self._entries)
        self._entries.clear()
        self._keys_of.clear()
        return count

    def went_live(self) -> int:
        """The feed is subscribed (again): nothing kept from before can be trusted."""
        dropped = self.drop_all()
        self._live = True
        return dropped

    def went_down(self) -> int:
        """The feed stopped (disconnected, a gap): serve and store nothing until it is back."""
        self._live = False
        return self.drop_all()

    def _dropped_since(self, ticket: Ticket, key: SectionsKey) -> bool:
        last = max(
            self._all_dropped,
            self._backend_dropped.get(key.backend, 0),
            self._partner_dropped.get((key.backend, key.partner_id), 0),
        )
        return last > ticket.sequence

    def _remove(self, key: SectionsKey) -> None:
        self._entries.pop(key, None)
        keys = self._keys_of.get((key.backend, key.partner_id))
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of[(key.backend, key.partner_id)]
