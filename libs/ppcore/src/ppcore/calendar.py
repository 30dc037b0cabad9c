"""Business days in program time (R-POL-02): weekends and the policy's holidays are off.

Under martial law (in force in Ukraine since 2022-02-24) public holidays are working days;
the policy names the period (``calendar.martial_law``), and a holiday inside it is a
business day like any other weekday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


class BusinessCalendar:
    def __init__(
        self,
        holidays: Iterable[date],
        *,
        holidays_worked: Iterable[tuple[date, date | None]] = (),
    ) -> None:
        """``holidays_worked``: periods ``[start, end)`` (``end`` None: still running) in which
        a public holiday is a working day (R-POL-02, martial law)."""
        self._holidays = frozenset(holidays)
        self._holidays_worked = tuple(holidays_worked)

    def _holiday_worked(self, d: date) -> bool:
        return any(start <= d and (end is None or d < end) for start, end in self._holidays_worked)

    def is_business_day(self, d: date) -> bool:
        return d.weekday() < 5 and (d not in self._holidays or self._holiday_worked(d))

    def add_business_days(self, start: date, days: int) -> date:
        """The date ``days`` business days after ``start`` (``start`` itself not counted).

        A deadline of 10 business days from a Friday filing is the 10th business day
        after it; a filing on a holiday starts counting from the next business day.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_business_day(current):
                count += 1
        return count

    def is_overdue(self, filed_on: date, deadline_days: int, today: date) -> bool:
        """True once ``today`` is past the deadline date."""
        return today > self.add_business_days(filed_on, deadline_days)
