"""R-CARD-04: the cabinet composed from the backends' answers; partial, never an error."""

import asyncio

import pytest

from gateway_service.domain.cabinet import (
    LIMITED_FORBIDDEN,
    Section,
    SectionOutcome,
    Viewer,
    compose_cabinet,
    forbidden_sections,
)
from gateway_service.service_layer.cabinet import get_partner_cabinet
from gateway_service.service_layer.ports import BackendFailure, SectionRead, SectionsRead, one_section
from ppcore.errors import NotFound


def each_section(reads: dict[Section, SectionRead]) -> list[SectionsRead]:
    """One call per section (as licensing and compliance answer theirs)."""
    return [one_section(section, read) for section, read in reads.items()]


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
    view = await get_partner_cabinet("p1", each_section(reads), deadline_seconds=0.2)
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
    view = await get_partner_cabinet("p1", each_section(reads), deadline_seconds=1.0)
    assert view.missing == (Section.SANCTIONS,)
    assert view.outcomes[Section.SANCTIONS].problem == "INTERNAL"


def test_limited_employee_is_forbidden_buy_and_cabinet_sections_only():
    """R-EMP-03: "Buy" (the discount) and "Partner cabinet" (points figures and requests, NFR
    licences, the authorization letter) are forbidden with the reason; the rest is visible."""
    forbidden = forbidden_sections(Viewer(partner_role="LIMITED", groups=frozenset({"LEADS"})))
    assert set(forbidden) == {Section.DISCOUNT, Section.POINTS, Section.NFR, Section.AUTHORIZATION_LETTER}
    assert {(f.reason, f.rule) for f in forbidden.values()} == {("ROLE_LIMITED", "R-EMP-03")}


def test_leads_need_the_leads_group_for_a_limited_employee():
    """R-EMP-05, R-LEAD-02: only the Leads access group takes leads: a limited employee
    outside it does not see the leads offered; main and full-rights users do."""
    forbidden = forbidden_sections(Viewer(partner_role="LIMITED"))
    assert forbidden[Section.LEADS].rule == "R-EMP-05"
    assert Section.LEADS not in forbidden_sections(Viewer(partner_role="FULL"))


@pytest.mark.parametrize("role", ["MAIN", "FULL", None])
def test_main_full_and_staff_see_every_section(role):
    """R-EMP-01/02: the main user and full-rights employees see everything; staff see any partner."""
    assert forbidden_sections(Viewer(partner_role=role)) == {}


async def test_forbidden_sections_are_not_read_and_not_missing():
    read: list[Section] = []

    def reader(section: Section):
        async def run(partner_id: str, deadline: float) -> object:
            read.append(section)
            return "ok"

        return run

    view = await get_partner_cabinet(
        "p1", each_section({s: reader(s) for s in Section}), deadline_seconds=1.0, viewer=Viewer(partner_role="LIMITED")
    )
    assert not view.partial
    assert set(view.forbidden) == {*LIMITED_FORBIDDEN, Section.LEADS}
    assert set(read) == set(Section) - {*LIMITED_FORBIDDEN, Section.LEADS}


async def test_each_section_has_its_own_deadline():
    """A slow backend only costs its own sections: a 0.1 s points deadline drops points at 0.1 s
    while a slower but in-time status (0.3 s of 1 s) still answers."""

    async def slow(partner_id: str, deadline: float) -> object:
        await asyncio.sleep(0.3)
        return "late but in time"

    deadlines = {s: 1.0 for s in Section} | {Section.POINTS: 0.1}
    view = await get_partner_cabinet("p1", each_section({s: slow for s in Section}), deadline_seconds=deadlines)
    assert view.missing == (Section.POINTS,)
    assert view.outcomes[Section.STATUS].value == "late but in time"


def _grouped(answer: object, asked: list[frozenset[Section]]) -> SectionsRead:
    """One call answering every section (as the status and points snapshots do)."""

    async def run(partner_id: str, wanted: frozenset[Section], deadline: float) -> dict[Section, object]:
        asked.append(wanted)
        if isinstance(answer, Exception):
            raise answer
        return {section: f"{section.value}-{answer}" for section in wanted}

    return SectionsRead(frozenset(Section), run)


async def test_one_call_answers_many_sections_asking_only_for_the_visible_ones():
    """A backend answering several sections is called once per view, for the sections the
    viewer may see (R-EMP-03), and each section gets its own part of the answer."""
    asked: list[frozenset[Section]] = []
    view = await get_partner_cabinet(
        "p1", [_grouped("ok", asked)], deadline_seconds=1.0, viewer=Viewer(partner_role="LIMITED")
    )
    assert asked == [frozenset(Section) - {*LIMITED_FORBIDDEN, Section.LEADS}]
    assert not view.partial
    assert view.outcomes[Section.CARD].value == "CARD-ok"


async def test_a_failed_call_makes_each_of_its_sections_missing_with_its_reason():
    view = await get_partner_cabinet(
        "p1", [_grouped(BackendFailure("status", "UNAVAILABLE"), [])], deadline_seconds=1.0
    )
    assert view.missing == tuple(Section)
    assert {view.outcomes[s].problem for s in Section} == {"UNAVAILABLE"}


async def test_a_section_left_out_of_an_answer_is_missing_not_a_crash():
    async def forgetful(partner_id: str, wanted: frozenset[Section], deadline: float) -> dict[Section, object]:
        return {Section.STATUS: "ok"}

    view = await get_partner_cabinet(
        "p1", [SectionsRead(frozenset({Section.STATUS, Section.CARD}), forgetful)], deadline_seconds=1.0
    )
    assert view.outcomes[Section.STATUS].value == "ok"
    assert view.outcomes[Section.CARD].problem == "INTERNAL"
