"""Working-day arithmetic over chinese-calendar, a holiday table and a weekday fallback.

Conventions: the day of receipt is not counted; a submission received on a non-working day is
deemed received on the next working day, and n working days are counted after that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import chinese_calendar
from lunardate import LunarDate

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """A due date; ``estimated`` when some day counted fell in a year with no official holiday
    data (a provisional table or the weekday fallback); ``received`` is the deemed day of
    receipt the count started after."""

    due: date
    estimated: bool
    received: date | None = None


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[date]:
    """The fixed days off of 《全国年节及纪念日放假办法》 (2025 revision) in ``year``: 元旦; 春节
    除夕 to 初三; 清明 (the solar term); 劳动节 5-1 and 5-2; 端午; 中秋; 国庆 10-1 to 10-3.
    No 调休 bridges: those come only from the State Council's yearly notice."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    qingming = [
        d
        for d, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
        if name == "清明"
    ]
    days = {
        date(year, 1, 1),
        *(new_year + timedelta(days=i) for i in range(-1, 3)),
        LunarDate(year + 1, 1, 1).to_solar_date() - ONE_DAY,
        *qingming,
        date(year, 5, 1),
        date(year, 5, 2),
        LunarDate(year, 5, 5).to_solar_date(),
        LunarDate(year, 8, 15).to_solar_date(),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(d for d in days if d.year == year)


@lru_cache(maxsize=64)
def chinese_calendar_knows(year: int) -> bool:
    """True when the installed chinese-calendar has the State Council data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Chinese working days: 调休 weekends count, statutory holidays on weekdays do not.

    ``years`` maps each year of the holiday table to ``True`` when its table is provisional;
    only chinese-calendar's years and official table years count as known.
    """

    def __init__(
        self,
        extra_days: Mapping[date, bool] | Iterable[Any] | None = None,
        years: Mapping[int, bool] | None = None,
    ) -> None:
        if extra_days is None or isinstance(extra_days, Mapping):
            self._extra: dict[date, bool] = dict(extra_days or {})
        else:
            self._extra = {row.day: bool(row.workday) for row in extra_days}
        table = {d.year for d in self._extra}
        # rows of a year nobody declared official stay provisional
        self._provisional = {y: True for y in table} | dict(years or {})

    @property
    def table_years(self) -> frozenset[int]:
        return frozenset(self._provisional)

    @property
    def provisional_years(self) -> frozenset[int]:
        """Years counted on a provisional table (no official notice loaded)."""
        return frozenset(y for y, provisional in self._provisional.items() if provisional)

    def is_year_known(self, year: int) -> bool:
        """True when ``year`` has official holiday data (chinese-calendar or an official table)."""
        return chinese_calendar_knows(year) or self._provisional.get(year) is False

    def is_estimated(self, d: date) -> bool:
        """True when ``d`` is judged by a provisional table or the fallback only."""
        return not self.is_year_known(d.year)

    def is_working_day(self, d: date) -> bool:
        if chinese_calendar_knows(d.year):
            return chinese_calendar.is_workday(d)
        if d in self._extra:
            return self._extra[d]
        if d.year in self._provisional:
            return d.weekday() < 5
        return d.weekday() < 5 and d not in statutory_holidays(d.year)

    def received_on(self, d: date) -> date:
        """The deemed day of receipt: ``d``, or the next working day when ``d`` is not one."""
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def any_estimated(self, first: date, last: date) -> bool:
        """True when some year from ``first`` to ``last`` lacks official holiday data."""
        return any(not self.is_year_known(y) for y in range(first.year, last.year + 1))

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
        """The n-th working day after the deemed receipt of a submission made on ``start``,
        and whether any day judged on the way was an estimate."""
        received = self.received_on(start)
        due = self.add_working_days(received, n)
        return Deadline(due=due, estimated=self.any_estimated(start, due), received=received)

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
        if today.month < 12 or self.is_year_known(nxt) or nxt in self.provisional_years:
            return None
        return (
            f"{nxt}年节假日表仅为预估，{nxt}年的期限标注为估算；"
            f"请在国务院办公厅通知发布后运行 `selfservice holidays load`。"
            f" / The {nxt} holiday table is only provisional: deadlines in {nxt} stay "
            f"estimated; load the State Council notice with `selfservice holidays load`."
        )
        return (
            f"{nxt}年节假日安排尚未导入，{nxt}年的期限将按周一至周五估算；"
            f"请在国务院办公厅通知发布后运行 `selfservice holidays load`。"
            f" / The {nxt} holiday table is missing: deadlines in {nxt} are estimated from "
            f"weekdays; load the State Council notice with `selfservice holidays load`."
        )

    def provisional_notice(self, today: date) -> str | None:
        """From 1 December: next year runs on the provisional table until the official notice."""
        nxt = today.year + 1
        if today.month < 12 or self.is_year_known(nxt) or nxt not in self.provisional_years:
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
