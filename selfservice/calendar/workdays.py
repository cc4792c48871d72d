"""Working-day arithmetic over chinese-calendar, a holiday table and a weekday fallback."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import chinese_calendar

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """A due date; ``estimated`` when some day counted fell in a year with no holiday data."""

    due: date
    estimated: bool


@lru_cache(maxsize=64)
def chinese_calendar_knows(year: int) -> bool:
    """True when the installed chinese-calendar has the State Council data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Chinese working days: 调休 weekends count, statutory holidays on weekdays do not."""

    def __init__(
        self,
        extra_days: Mapping[date, bool] | Iterable[Any] | None = None,
        *,
        provisional: Mapping[date, bool] | Iterable[Any] | None = None,
    ) -> None:
        self._extra = _days(extra_days)
        self._table_years = frozenset(d.year for d in self._extra)
        # A shipped projection counts days only for years the real table does not cover; those
        # years stay unknown, so deadlines in them are still flagged estimated.
        self._provisional = {
            d: w for d, w in _days(provisional).items() if d.year not in self._table_years
        }
        self._provisional_years = frozenset(d.year for d in self._provisional)

    @property
    def table_years(self) -> frozenset[int]:
        return self._table_years

    @property
    def provisional_years(self) -> frozenset[int]:
        """Years counted on the shipped provisional table (no official notice loaded)."""
        return self._provisional_years

    def is_year_known(self, year: int) -> bool:
        """True when ``year`` has real holiday data (chinese-calendar or the holiday table)."""
        return chinese_calendar_knows(year) or year in self._table_years

    def is_estimated(self, d: date) -> bool:
        """True when ``d`` is judged by the Mon–Fri guess only."""
        return not self.is_year_known(d.year)

    def is_working_day(self, d: date) -> bool:
        if chinese_calendar_knows(d.year):
            return chinese_calendar.is_workday(d)
        if d in self._extra:
            return self._extra[d]
        if d in self._provisional:
            return self._provisional[d]
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (the filing day itself is not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def deadline(self, start: date, n: int) -> Deadline:
        """``add_working_days`` plus whether any day counted was an estimate."""
        due = self.add_working_days(start, n)
        first = start + ONE_DAY if n else start
        years = range(first.year, due.year + 1)
        return Deadline(due=due, estimated=any(not self.is_year_known(y) for y in years))

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b`` (negative when ``b`` < ``a``)."""
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count

    def missing_next_year_warning(self, today: date) -> str | None:
        """A warning from 1 December on when next year has no holiday data, not even provisional."""
        nxt = today.year + 1
        if today.month < 12 or self.is_year_known(nxt) or nxt in self._provisional_years:
            return None
        return (
            f"{nxt}年节假日安排尚未导入，{nxt}年的期限将按周一至周五估算；"
            f"请在国务院办公厅通知发布后运行 `selfservice holidays load`。"
            f" / The {nxt} holiday table is missing: deadlines in {nxt} are estimated from "
            f"weekdays; load the State Council notice with `selfservice holidays load`."
        )

    def provisional_notice(self, today: date) -> str | None:
        """From 1 December: next year runs on the provisional table until the official notice."""
        nxt = today.year + 1
        if today.month < 12 or self.is_year_known(nxt) or nxt not in self._provisional_years:
            return None
        return (
            f"{nxt}年按随附的暂定节假日表计算，期限标注为“估算”；国务院办公厅通知发布后请运行 "
            f"`selfservice holidays load`。 / {nxt} runs on the shipped provisional holiday "
            f"table (deadlines flagged estimated) until the official notice is loaded."
        )


def _days(source: Mapping[date, bool] | Iterable[Any] | None) -> dict[date, bool]:
    if source is None or isinstance(source, Mapping):
        return dict(source or {})
    return {row.day: bool(row.workday) for row in source}


_current = WorkCalendar()


def get_calendar() -> WorkCalendar:
    """The process-wide calendar (chinese-calendar only until the app loads the table)."""
    return _current


def set_calendar(calendar: WorkCalendar) -> None:
    """Install ``calendar`` as the process-wide calendar (at app startup, after loading it)."""
    global _current
    _current = calendar
