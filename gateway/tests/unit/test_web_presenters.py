"""What the web pages compute without I/O: deadlines, queue order, CSV, the points
timeline against the thresholds, and which cabinet sections a role sees."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from gateway_service.web.identity import Person
from gateway_service.web.presenters import (
    CabinetSection,
    QueueItem,
    is_overdue,
    may_submit,
    oldest_first,
    points_timeline,
    timeline_chart,
    to_csv,
    visible_sections,
)
from ppcore.auth import CallerKind

TODAY = date(2026, 12, 1)
THRESHOLDS = (("Сертифікований", 100), ("Золотий", 500))


def _item(item_id: str, started: str, due: str = "") -> QueueItem:
    return QueueItem(item_id=item_id, href=f"/x/{item_id}", started=started, due=due, cells={"id": item_id})


def test_an_item_is_overdue_only_after_its_deadline_day():
    """R-PRT-03, R-PRJ-01, R-PTS-03, R-PD-05: overdue items are visible to staff; the deadline day itself is still in time."""
    assert not is_overdue("2026-12-01", TODAY)
    assert is_overdue("2026-11-30", TODAY)
    assert not is_overdue("", TODAY)  # no deadline in the rules: never overdue
    assert _item("a", "2026-11-01", "2026-11-04").overdue(TODAY)


def test_a_queue_is_worked_oldest_first():
    """R-PRT-03: staff see the oldest pending item first."""
    items = [_item("c", "2026-11-20T10:00"), _item("a", "2026-11-02T09:00"), _item("b", "2026-11-02T09:00")]
    assert [i.item_id for i in oldest_first(items)] == ["a", "b", "c"]


def test_csv_export_has_the_column_titles_and_one_line_per_row():
    text = to_csv((("company", "Компанія"), ("due", "Термін")), [{"company": "Зірка, Веб", "due": "2026-12-03"}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Компанія", "Термін"], ["Зірка, Веб", "2026-12-03"]]


def test_the_points_timeline_falls_as_accruals_expire():
    """R-PTS-04: each accrual counts for one year; the line drops on each expiry date and
    shows when the total goes under a status threshold (R-STS-02/03)."""
    timeline = points_timeline(
        Decimal(560),
        [("2027-01-10", Decimal(50)), ("2026-12-20", Decimal(20)), ("2028-01-01", Decimal(999))],
        TODAY,
        THRESHOLDS,
    )
    assert [(p.day.isoformat(), p.points) for p in timeline.points] == [
        ("2026-12-01", Decimal(560)),
        ("2026-12-20", Decimal(540)),
        ("2027-01-10", Decimal(490)),
    ]  # the 2028 batch is past the one-year window
    assert timeline.first_below(500) == date(2027, 1, 10)
    assert timeline.first_below(100) is None


def test_the_timeline_never_goes_below_zero_and_a_total_already_under_a_threshold_has_no_fall_date():
    timeline = points_timeline(Decimal(30), [("2026-12-02", Decimal(50))], TODAY, THRESHOLDS)
    assert timeline.points[-1].points == 0
    assert timeline.first_below(100) is None


def test_the_chart_draws_the_step_line_and_both_threshold_lines():
    chart = timeline_chart(points_timeline(Decimal(560), [("2027-01-10", Decimal(100))], TODAY, THRESHOLDS))
    assert chart.path.startswith("M") and "V" in chart.path
    assert [name for name, _y in chart.lines] == ["Сертифікований: 100", "Золотий: 500"]
    five_hundred = dict(chart.lines)["Золотий: 500"]
    one_hundred = dict(chart.lines)["Сертифікований: 100"]
    assert five_hundred < one_hundred  # higher value, higher on the chart (smaller y)
    assert chart.ticks[0][0] == "12.26" and chart.ticks[-1][0] == "12.27"  # each month start, a year ahead


def test_a_limited_employee_sees_no_purchase_nor_cabinet_figures():
    """R-EMP-03: a limited employee sees the partner sections except "Buy" and "Partner cabinet"."""
    limited = visible_sections("LIMITED")
    assert CabinetSection.PURCHASE not in limited
    assert {CabinetSection.POINTS, CabinetSection.KEYS, CabinetSection.SANCTIONS}.isdisjoint(limited)
    assert {CabinetSection.STATUS, CabinetSection.PROJECTS} <= limited
    assert not may_submit("LIMITED")


def test_main_and_full_rights_users_see_everything_and_a_certified_specialist_nothing():
    """R-EMP-01/02 see all sections and may buy; R-EMP-04: a certified specialist gets no rights."""
    assert visible_sections("MAIN") == visible_sections("FULL") == frozenset(CabinetSection)
    assert may_submit("MAIN") and may_submit("FULL")
    assert visible_sections("CERTIFIED_SPECIALIST") == frozenset()


def test_the_session_keeps_the_person_and_rejects_anything_else():
    person = Person(kind=CallerKind.PARTNER_USER, login="zirka-sales", name="z", partner_id="P1", role="LIMITED")
    assert Person.from_session({"person": person.to_session()}) == person
    assert Person.from_session({"person": {"kind": "system", "login": "x"}}) is None  # never a system caller
    assert Person.from_session({}) is None
    assert person.caller().partner_id == "P1"
