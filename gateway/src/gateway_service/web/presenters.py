"""What the pages show, computed without I/O: Ukrainian labels, deadlines, the points
timeline, CSV rows, and which cabinet sections a role sees.

Everything here is plain data in, plain data out, so the unit tests read like the rules.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

TIER_LABELS = {
    "BUSINESS": "Бізнес-партнер",
    "CERTIFIED": "Сертифікований партнер",
    "GOLD": "Золотий сертифікований партнер",
}

COMPETENCY_LABELS = {
    "COMPOSITE_SITE": "Композитний сайт",
    "QUALITY_MONITORING": "Учасник програми моніторингу якості",
    "INTEGRATION_1C": "Інтеграція з 1С",
    "PHP_HOSTING": "PHP-хостинг",
    "SYSTEM_ADMINISTRATION": "Системне адміністрування",
    "LARGE_CORPORATE": "Великі корпоративні впровадження",
}

STATE_LABELS = {
    # applications (R-PRT-03)
    "UNDER_REVIEW": "на розгляді",
    "INFO_REQUESTED": "запитано інформацію",
    "APPROVED": "схвалено",
    "REJECTED": "відхилено",
    # point requests (R-PTS-03)
    "PENDING": "очікує рішення",
    "GRANTED": "нараховано",
    "PARTIALLY_GRANTED": "нараховано частково",
    "DENIED": "відмовлено",
    # cases (R-VIO-01)
    "OPEN": "відкрито",
    "CONFIRMED": "підтверджено",
    "DISMISSED": "відхилено",
    "APPEALED": "оскаржено",
    "APPEAL_UPHELD": "апеляцію задоволено",
    "APPEAL_REJECTED": "апеляцію відхилено",
    # sanctions, keys, personal data
    "APPLIED": "діє",
    "LIFTED": "знято",
    "ACTIVE": "активний",
    "LAPSED": "закінчився",
    "REVOKED": "відкликано",
    "COMPLETED": "виконано",
}

SANCTION_LABELS = {
    "STATUS_DOWNGRADE": "Зниження статусу",
    "COMPETENCY_REMOVAL": "Позбавлення компетенцій",
    "POINTS_REFUSAL": "Відмова в нарахуванні балів",
    "LEADS_DISCONNECTION": "Відключення від лідів",
    "PUBLIC_LIST_EXCLUSION": "Виключення з публічного списку",
    "VIOLATORS_LIST": "Список порушників",
    "CABINET_BLOCK": "Блокування кабінету",
    "DISCOUNT_BLOCK": "Блокування знижки",
    "NFR_WITHDRAWAL": "Відкликання NFR-ліцензій",
    "CONTRACT_SUSPENSION": "Призупинення договору",
    "CONTRACT_TERMINATION": "Розірвання договору",
    "SEMINAR_REFUSAL": "Відмова в семінарах",
    "EVENT_COMPENSATION_REFUSAL": "Відмова в компенсації заходів",
}

VIOLATION_LABELS = {
    "DUMPING": "Демпінг",
    "MYSTERY_SHOPPER": "Таємний покупець",
    "BRAND_MISUSE": "Неправомірне використання бренду",
    "NFR_MISUSE": "Порушення використання NFR",
    "OTHER": "Інше",
}

PD_KIND_LABELS = {
    "CONFIRM_LEGAL_BASIS": "Підтвердити правові підстави",
    "STOP_PROCESSING": "Припинити обробку",
    "COMPLAINT_FORWARD": "Передати скаргу",
}

SOURCE_LABELS = {
    "ORDER": "замовлення",
    "PROJECT": "проєкт",
    "QUALITY_MONITORING": "моніторинг якості",
    "MARKETPLACE_MODULE": "модуль Marketplace",
    "COMPOSITE_SITE": "композитний сайт",
    "MOBILE_APP": "мобільний застосунок",
    "POINT_REQUEST": "запит балів",
    "CORRECTION": "коригування",
}

CHANGE_REASON_LABELS = {
    "APPROVAL": "схвалення заявки",
    "UPGRADE": "підвищення",
    "CONFIRMATION": "підтвердження на рік",
    "ANNIVERSARY_LOSS": "втрата на річницю",
    "SANCTION": "санкція",
}

CONDITION_LABELS = {
    "ACTIVE_POINTS": "Активні бали",
    "CERTIFIED_EMPLOYEES": "Сертифіковані співробітники",
    "MONITORED_PROJECTS": "Проєкти з моніторингу якості",
}

# R-LEAD-01: which leads a status receives.
LEAD_REACH_LABELS = {
    "ANY_CITY": "ліди з будь-якого міста",
    "OWN_CITY": "ліди свого міста",
    "SERVICE_ACCESS": "лише доступ до сервісу лідів",
}

POINT_REQUEST_CATEGORIES = {
    "MARKETING_ACTIVITY": "Маркетингова активність",
    "CLIENT_REVIEW": "Відгук клієнта",
    "CLIENT_TECH_SUPPORT": "Технічна підтримка клієнтів",
    "COMPLEX_PROJECT": "Складний проєкт",
    "EVENT_PARTICIPATION": "Участь у заході",
    "OTHER": "Інше",
}


CONTRACT_LABELS = {
    "UNSPECIFIED": "не подано",
    "FILED": "подано, на розгляді",
    "ACCEPTED": "прийнято",
    "REFUSED": "відхилено",
}

ENTITLEMENT_LABELS = {
    "ENTITLED": "є право",
    "UNKNOWN_BUYER": "невідомий покупець",
    "TERMINATED": "участь припинено",
    "CONTRACT_SUSPENDED": "договір призупинено",
    "DISCOUNT_BLOCKED": "знижку заблоковано санкцією",
    "CONTRACT_NOT_ACCEPTED": "заяву на договір не прийнято",
}

ROLE_LABELS = {
    "MAIN": "головний користувач",
    "FULL": "повні права",
    "LIMITED": "обмежені права",
    "CERTIFIED_SPECIALIST": "сертифікований фахівець",
}

_STATE_PREFIXES = (
    "PROJECT_STATE_",
    "POINT_REQUEST_STATE_",
    "MONITORING_STATE_",
    "APPLICATION_STATE_",
    "CASE_STATE_",
)
STATE_LABELS_EXTRA = {"AWAITING_SURVEY": "очікує опитування клієнта"}


def any_state(name: str) -> str:
    """A state name with or without its enum prefix, in Ukrainian."""
    key = name.upper()
    for prefix in _STATE_PREFIXES:
        key = key.removeprefix(prefix)
    return label({**STATE_LABELS, **STATE_LABELS_EXTRA}, key)


def enum_key(full_name: str, prefix: str) -> str:
    """``PARTNER_TIER_GOLD`` with prefix ``PARTNER_TIER_`` -> ``GOLD``."""
    return full_name.removeprefix(prefix)


def label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key, key.replace("_", " ").lower() if key else "—")


def as_decimal(text: str) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def is_overdue(due: str, today: date) -> bool:
    """A pending item is overdue once its deadline (an ISO date, inclusive) has passed.

    R-PRT-03, R-PRJ-01, R-PTS-03, R-PD-05: overdue items are visible to staff."""
    if not due:
        return False
    return date.fromisoformat(due) < today


def days_left(due: str, today: date) -> int | None:
    return (date.fromisoformat(due) - today).days if due else None


@dataclass(frozen=True)
class QueueItem:
    """One row of a staff queue: the thing, its deadline, and the cells to show."""

    item_id: str
    href: str
    started: str  # ISO instant or date the clock started on (oldest first)
    due: str  # ISO date, or "" when the rules set no deadline
    cells: Mapping[str, str]

    def overdue(self, today: date) -> bool:
        return is_overdue(self.due, today)


def oldest_first(items: Iterable[QueueItem]) -> list[QueueItem]:
    """Staff work a queue from the oldest item (ties by id, so the order is stable)."""
    return sorted(items, key=lambda i: (i.started, i.item_id))


def to_csv(columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, str]]) -> str:
    """A CSV export of a list: a header of the column titles, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _key, title in columns])
    for row in rows:
        writer.writerow([row.get(key, "") for key, _title in columns])
    return out.getvalue()


@dataclass(frozen=True)
class TimelinePoint:
    day: date
    points: Decimal


@dataclass(frozen=True)
class PointsTimeline:
    """Active points from today on, as accruals expire (R-PTS-04), against the thresholds."""

    points: tuple[TimelinePoint, ...]
    thresholds: tuple[tuple[str, int], ...]
    end: date

    def first_below(self, threshold: int) -> date | None:
        """The first day the active total drops under ``threshold`` (None if it never does
        within the window, or is already under it today)."""
        if not self.points or self.points[0].points < threshold:
            return None
        for point in self.points:
            if point.points < threshold:
                return point.day
        return None


def points_timeline(
    active_now: Decimal,
    expiring_by_date: Iterable[tuple[str, Decimal]],
    today: date,
    thresholds: Sequence[tuple[str, int]],
    window_days: int = 365,
) -> PointsTimeline:
    """A step line: today's active total, minus each expiring batch on its expiry date.

    R-PTS-04: each accrual counts for one year; R-STS-02/03: 100 and 500 are the
    thresholds (from the policy). New accruals are unknown, so the line only falls."""
    steps = sorted((date.fromisoformat(d), p) for d, p in expiring_by_date if d)
    total = active_now
    line = [TimelinePoint(today, total)]
    for day, pts in steps:
        if day <= today or day > today + timedelta(days=window_days):
            continue
        total = max(Decimal(0), total - pts)
        line.append(TimelinePoint(day, total))
    return PointsTimeline(tuple(line), tuple(thresholds), today + timedelta(days=window_days))


@dataclass(frozen=True)
class Chart:
    """An SVG step chart, laid out in a fixed viewBox (the CSS scales it to the screen)."""

    width: int
    height: int
    path: str
    lines: tuple[tuple[str, float], ...]  # (label, y)
    ticks: tuple[tuple[str, float], ...]  # (month label, x)
    dots: tuple[tuple[float, float, str], ...]  # (x, y, title)
    max_value: int


def timeline_chart(timeline: PointsTimeline, width: int = 640, height: int = 220) -> Chart:
    start = timeline.points[0].day if timeline.points else timeline.end
    span = max(1, (timeline.end - start).days)
    top = max([int(p.points) for p in timeline.points] + [t for _, t in timeline.thresholds] + [1])
    top = int(top * 1.1) + 1
    pad_l, pad_r, pad_t, pad_b = 44, 12, 12, 28
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(day: date) -> float:
        return round(pad_l + plot_w * (day - start).days / span, 1)

    def y(value: Decimal | int) -> float:
        return round(pad_t + plot_h * (1 - float(value) / top), 1)

    parts: list[str] = []
    dots: list[tuple[float, float, str]] = []
    for i, point in enumerate(timeline.points):
        if i == 0:
            parts.append(f"M{x(point.day)},{y(point.points)}")
        else:
            parts.append(f"H{x(point.day)}V{y(point.points)}")
            dots.append((x(point.day), y(point.points), f"{point.day.isoformat()}: {point.points}"))
    if timeline.points:
        parts.append(f"H{x(timeline.end)}")
    ticks: list[tuple[str, float]] = []
    month = date(start.year, start.month, 1)
    while month <= timeline.end:
        if month >= start:
            ticks.append((f"{month.month:02d}.{month.year % 100:02d}", x(month)))
        month = date(month.year + (month.month // 12), month.month % 12 + 1, 1)
    return Chart(
        width=width,
        height=height,
        path="".join(parts),
        lines=tuple((f"{name}: {value}", y(value)) for name, value in timeline.thresholds),
        ticks=tuple(ticks),
        dots=tuple(dots),
        max_value=top,
    )


class CabinetSection(StrEnum):
    STATUS = "status"
    PURCHASE = "purchase"
    POINTS = "points"
    KEYS = "keys"
    PROJECTS = "projects"
    POINT_REQUESTS = "point_requests"
    SANCTIONS = "sanctions"


_ALL_SECTIONS = frozenset(CabinetSection)
# R-EMP-03: a limited employee sees the partner sections except "Buy" and "Partner
# cabinet" (the cabinet's figures: points, keys, requests and sanctions).
_LIMITED_SECTIONS = frozenset({CabinetSection.STATUS, CabinetSection.PROJECTS})


def visible_sections(role: str) -> frozenset[CabinetSection]:
    """Which cabinet sections a partner login sees, by role (R-EMP-01..04)."""
    if role in ("MAIN", "FULL"):  # R-EMP-01/02: everything, buying included
        return _ALL_SECTIONS
    if role == "LIMITED":
        return _LIMITED_SECTIONS
    return frozenset()  # R-EMP-04: a certified specialist gets no rights


def may_submit(role: str) -> bool:
    """Projects and point requests are filed by the main user or a full-rights employee."""
    return role in ("MAIN", "FULL")
