"""Chinese working-day calendar with a holiday table for years chinese-calendar does not know."""

from datetime import date

from selfservice.calendar.workdays import (
    Deadline,
    WorkCalendar,
    chinese_calendar_knows,
    get_calendar,
    set_calendar,
)

__all__ = [
    "Deadline",
    "WorkCalendar",
    "chinese_calendar_knows",
    "get_calendar",
    "missing_next_year_warning",
    "set_calendar",
]


def missing_next_year_warning(today: date, *, calendar: WorkCalendar | None = None) -> str | None:
    """The December warning for the process calendar (or ``calendar``)."""
    return (calendar or get_calendar()).missing_next_year_warning(today)
