"""R-CARD-04: the cabinet composed from the backends' answers; partial, never an error."""

import asyncio

import pytest

from gateway_service.domain.cabinet import Section, SectionOutcome, compose_cabinet
from gateway_service.service_layer.cabinet import get_partner_cabinet
from gateway_service.service_layer.ports import BackendFailure
from ppcore.errors import NotFound


def _all_answered() -> dict[Section, SectionOutcome[object]]:
    return {section: SectionOutcome.answered(section.value.lower()) for section in Section}


def test_every_section_answered_is_a_complete_cabinet():
    """R-CARD-04: status, card, points, NFR and sanctions all present."""
    view = compose_cabinet("p1", _all_answered())
    assert not view.partial
    assert view.missing == ()
    assert view.outcomes[Section.POINTS].value == "points"


def test_a_failed_backend_makes_the_cabinet_partial_naming_the_section():
    """A down backend is a missing section, not an error."""
    outcomes = _all_answered()
    outcomes[Section.NFR] = SectionOutcome.failed("UNAVAILABLE")
    view = compose_cabinet("p1", outcomes)
    assert view.partial
    assert view.missing == (Section.NFR,)
    assert view.outcomes[Section.NFR].problem == "UNAVAILABLE"
    assert view.outcomes[Section.STATUS].available


def test_a_section_nobody_answered_is_missing():
    outcomes = _all_answered()
    del outcomes[Section.SANCTIONS]
    assert compose_cabinet("p1", outcomes).missing == (Section.SANCTIONS,)


def test_missing_sections_are_listed_in_display_order():
    outcomes = _all_answered()
    outcomes[Section.SANCTIONS] = SectionOutcome.failed("DEADLINE_EXCEEDED")
    outcomes[Section.STATUS] = SectionOutcome.failed("UNAVAILABLE")
    assert compose_cabinet("p1", outcomes).missing == (Section.STATUS, Section.SANCTIONS)


def test_unknown_partner_per_the_status_service_is_not_found():
    """Only the status service, owner of partners, can say the partner does not exist."""
    outcomes = _all_answered()
    outcomes[Section.STATUS] = SectionOutcome.failed("NOT_FOUND")
    with pytest.raises(NotFound) as raised:
        compose_cabinet("ghost", outcomes)
    assert raised.value.reason == "PARTNER_NOT_FOUND"


def test_not_found_from_another_backend_is_only_a_missing_section():
    outcomes = _all_answered()
    outcomes[Section.POINTS] = SectionOutcome.failed("NOT_FOUND")
    assert compose_cabinet("p1", outcomes).missing == (Section.POINTS,)


async def test_fan_out_answers_within_the_deadline_when_a_backend_hangs():
    """R-CARD-04 with a slow backend: the answer comes at the deadline, partial, the others intact."""

    async def fast(partner_id: str, deadline: float) -> object:
        return f"{partner_id}-ok"

    async def hangs(partner_id: str, deadline: float) -> object:
        await asyncio.sleep(30)
        return "never"

    async def down(partner_id: str, deadline: float) -> object:
        raise BackendFailure("licensing", "UNAVAILABLE")

    reads = {section: fast for section in Section}
    reads[Section.POINTS] = hangs
    reads[Section.NFR] = down
    loop = asyncio.get_running_loop()
    started = loop.time()
    view = await get_partner_cabinet("p1", reads, deadline_seconds=0.2)
    assert loop.time() - started < 1.0
    assert view.missing == (Section.POINTS, Section.NFR)
    assert view.outcomes[Section.POINTS].problem == "DEADLINE_EXCEEDED"
    assert view.outcomes[Section.NFR].problem == "UNAVAILABLE"
    assert view.outcomes[Section.STATUS].value == "p1-ok"


async def test_fan_out_turns_an_unexpected_error_into_a_missing_section():
    async def fast(partner_id: str, deadline: float) -> object:
        return "ok"

    async def broken(partner_id: str, deadline: float) -> object:
        raise RuntimeError("bug")

    reads = {section: fast for section in Section}
    reads[Section.SANCTIONS] = broken
    view = await get_partner_cabinet("p1", reads, deadline_seconds=1.0)
    assert view.missing == (Section.SANCTIONS,)
    assert view.outcomes[Section.SANCTIONS].problem == "INTERNAL"
