"""Event ids: random version-4 UUIDs in the 32-hex-digit form, never repeated."""

import uuid

from ppcore.events import new_event_id


def test_event_ids_are_distinct_version_4_uuids():
    ids = [new_event_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    for event_id in ids[:100]:
        parsed = uuid.UUID(hex=event_id)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, event_id)
