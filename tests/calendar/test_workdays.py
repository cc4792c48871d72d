"""Working-day arithmetic: 2026 from chinese-calendar, 2027 from the table or estimated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

import selfservice.calendar as cal
from selfservice.calendar import Deadline, WorkCalendar, missing_next_year_warning
from selfservice.calendar.holiday_file import read_holiday_file

DATA_2027 = Path(cal.__file__).parent / "data" / "holidays_2027.csv"


@pytest.fixture
def plain() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def with_2027() -> WorkCalendar:
    """The 2027 rows as if loaded from the official notice."""
    days = {e.day: e.workday for e in read_holiday_file(DATA_2027)}
    return WorkCalendar(extra_days=days, years={2027: False})


@pytest.fixture
def provisional_2027() -> WorkCalendar:
    """The shipped projection: same rows, year marked provisional."""
    days = {e.day: e.workday for e in read_holiday_file(DATA_2027)}
    return WorkCalendar(extra_days=days, years={2027: True})


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-02-13", True),  # Friday before the Spring Festival break
        ("2026-02-14", True),  # Saturday, 调休 make-up day
        ("2026-02-15", False),
        ("2026-02-17", False),  # 春节 (初一), a Tuesday
        ("2026-02-23", False),  # Monday, last day of the break
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday, 调休 make-up day
        ("2026-09-20", True),  # Sunday, National Day make-up day
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday, National Day make-up day
        ("2026-10-11", False),
        ("2026-01-01", False),
        ("2026-01-02", False),  # Friday, New Year bridge
        ("2026-01-04", True),  # Sunday, make-up day
    ],
)
def test_2026_known_facts(plain: WorkCalendar, day: str, working: bool) -> None:
    d = date.fromisoformat(day)
    assert plain.is_working_day(d) is working
    assert plain.is_working_day(d) is chinese_calendar.is_workday(d)
    assert not plain.is_estimated(d)


def test_spring_festival_2026_matches_chinese_calendar_every_day(plain: WorkCalendar) -> None:
    for offset in range(60):
        d = date(2026, 2, 1).fromordinal(date(2026, 2, 1).toordinal() + offset)
        assert plain.is_working_day(d) is chinese_calendar.is_workday(d)


def test_first_day_not_counted(plain: WorkCalendar) -> None:
    monday = date(2026, 3, 2)
    assert plain.add_working_days(monday, 0) == monday
    assert plain.add_working_days(monday, 1) == date(2026, 3, 3)
    assert plain.add_working_days(monday, 5) == date(2026, 3, 9)
    # raw arithmetic from a Saturday: Monday is the next working day
    assert plain.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)
    # a filing on Saturday is deemed received on Monday; the 1st working day after is Tuesday
    filed = plain.deadline(date(2026, 3, 7), 1)
    assert (filed.received, filed.due) == (date(2026, 3, 9), date(2026, 3, 10))


def test_negative_days_rejected(plain: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        plain.add_working_days(date(2026, 3, 2), -1)


def test_spring_festival_2026_deadline(plain: WorkCalendar) -> None:
    # Filed Thu 12 Feb: Fri 13, Sat 14 (调休) count; 15–23 Feb is the break; Tue 24 onwards.
    assert plain.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert plain.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert plain.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 4)  # Sat 28 Feb counts


def test_national_day_2026_with_make_up_days(plain: WorkCalendar) -> None:
    # Sat 19 Sep → Sun 20 Sep is a make-up working day.
    assert plain.add_working_days(date(2026, 9, 19), 1) == date(2026, 9, 20)
    # Filed Wed 30 Sep: 1–7 Oct off, Thu 8, Fri 9, Sat 10 (调休) count.
    assert plain.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert plain.add_working_days(date(2026, 9, 30), 15) == date(2026, 10, 27)


def test_working_days_between(plain: WorkCalendar) -> None:
    assert plain.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert plain.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert plain.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    start = date(2026, 2, 12)
    for n in (1, 5, 10, 15):
        assert plain.working_days_between(start, plain.add_working_days(start, n)) == n


def test_2027_without_table_is_estimated(plain: WorkCalendar) -> None:
    assert plain.is_estimated(date(2027, 1, 4))
    assert not plain.is_estimated(date(2026, 12, 31))
    # Fri 1 Jan 2027 (元旦) is a fixed statutory holiday even without the table; Thu 31 Dec
    # counts, the weekend does not: the 2nd working day is Mon 4 Jan, an estimate
    assert not plain.is_working_day(date(2027, 1, 1))
    assert plain.is_working_day(date(2027, 1, 4))
    due = plain.deadline(date(2026, 12, 30), 2)
    assert (due.due, due.estimated) == (date(2027, 1, 4), True)
    due = plain.deadline(date(2026, 12, 28), 2)
    assert (due.due, due.estimated) == (date(2026, 12, 30), False)
    assert isinstance(due, Deadline)


def test_2027_with_table(with_2027: WorkCalendar) -> None:
    assert not with_2027.is_estimated(date(2027, 1, 4))
    assert not with_2027.is_working_day(date(2027, 1, 1))
    assert with_2027.is_working_day(date(2027, 2, 20))  # 调休 Saturday
    assert not with_2027.is_working_day(date(2027, 2, 10))
    due = with_2027.deadline(date(2026, 12, 30), 2)
    assert (due.due, due.estimated) == (date(2027, 1, 4), False)
    assert with_2027.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == 2
    # Filed Thu 30 Sep 2027: Sun 26 Sep was make-up; 1–7 Oct off; Fri 8, Sat 9 (调休) count.
    assert with_2027.add_working_days(date(2027, 9, 30), 2) == date(2027, 10, 9)
    assert with_2027.is_estimated(date(2028, 1, 3))


def test_provisional_table_keeps_deadlines_estimated(provisional_2027: WorkCalendar) -> None:
    # the rows are used to count, but the year is not official: the flag stays
    assert not provisional_2027.is_working_day(date(2027, 10, 4))
    due = provisional_2027.deadline(date(2026, 12, 30), 2)
    assert (due.due, due.estimated) == (date(2027, 1, 4), True)
    assert provisional_2027.provisional_years == frozenset({2027})
    # a provisional year is not missing: no warning, an informational notice instead
    assert provisional_2027.missing_next_year_warning(date(2026, 12, 1)) is None
    assert "2027" in (provisional_2027.provisional_notice(date(2026, 12, 1)) or "")


def test_rows_without_a_declared_year_stay_provisional() -> None:
    calendar = WorkCalendar(extra_days={date(2027, 1, 1): False})
    assert calendar.is_estimated(date(2027, 1, 4))


def test_table_rows_do_not_override_chinese_calendar(plain: WorkCalendar) -> None:
    calendar = WorkCalendar(extra_days={date(2026, 10, 1): True})
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.table_years == frozenset({2026})


def test_december_warning(plain: WorkCalendar, with_2027: WorkCalendar) -> None:
    assert plain.missing_next_year_warning(date(2026, 11, 30)) is None
    warning = plain.missing_next_year_warning(date(2026, 12, 1))
    assert warning is not None and "2027" in warning
    assert with_2027.missing_next_year_warning(date(2026, 12, 1)) is None  # official table
    assert with_2027.missing_next_year_warning(date(2027, 12, 15)) is not None
    assert plain.missing_next_year_warning(date(2025, 12, 1)) is None  # 2026 is known


def test_process_calendar(with_2027: WorkCalendar) -> None:
    before = cal.get_calendar()
    try:
        cal.set_calendar(with_2027)
        assert cal.get_calendar() is with_2027
        assert missing_next_year_warning(date(2026, 12, 2)) is None
        cal.set_calendar(WorkCalendar())  # chinese-calendar alone: 2027 is missing
        assert missing_next_year_warning(date(2026, 12, 2)) is not None
    finally:
        cal.set_calendar(before)


def test_built_from_rows() -> None:
    rows = read_holiday_file(DATA_2027)
    calendar = WorkCalendar(extra_days=rows)
    assert calendar.table_years == frozenset({2027})
    assert calendar.is_working_day(date(2027, 1, 31))
    assert not calendar.is_working_day(date(2027, 10, 6))


def test_provisional_days_count_but_stay_estimated(with_2027: WorkCalendar) -> None:
    days = {e.day: e.workday for e in read_holiday_file(DATA_2027)}
    calendar = WorkCalendar(extra_days=days, years={2027: True})
    assert calendar.provisional_years == frozenset({2027})
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.add_working_days(date(2027, 9, 30), 2) == date(2027, 10, 9)
    due = calendar.deadline(date(2026, 12, 30), 2)
    assert (due.due, due.estimated) == (date(2027, 1, 4), True)
    assert calendar.missing_next_year_warning(date(2026, 12, 1)) is None
    assert "2027" in (calendar.provisional_notice(date(2026, 12, 1)) or "")
    assert calendar.provisional_notice(date(2026, 11, 30)) is None
    # the official table, once loaded, replaces the projection for its year
    official = WorkCalendar(extra_days=days | {date(2027, 10, 8): False}, years={2027: False})
    assert not official.provisional_years and not official.is_working_day(date(2027, 10, 8))
    assert official.provisional_notice(date(2026, 12, 1)) is None
