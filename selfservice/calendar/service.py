"""Holiday table persistence and loading the process calendar from it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tortoise.transactions import in_transaction

from selfservice.calendar.holiday_file import HolidayEntry, read_holiday_file
from selfservice.calendar.models import HolidayDay
from selfservice.calendar.workdays import WorkCalendar

logger = logging.getLogger(__name__)
PROVISIONAL_FILES = (Path(__file__).parent / "data" / "holidays_2027.csv",)
"""Shipped projections, used until the official notice for their year is loaded."""


@dataclass(frozen=True)
class LoadSummary:
    """What a holiday file load wrote."""

    years: tuple[int, ...]
    holidays: int
    workdays: int
    created: int
    updated: int


async def save_holidays(*, entries: Sequence[HolidayEntry], source: str) -> LoadSummary:
    """Upsert validated entries in one transaction; loading the same file twice changes nothing."""
    created = updated = 0
    async with in_transaction():
        existing = {
            row.day: row for row in await HolidayDay.filter(day__in=[e.day for e in entries])
        }
        for entry in entries:
            row = existing.get(entry.day)
            if row is None:
                await HolidayDay.create(
                    day=entry.day, workday=entry.workday, name=entry.name, source=source[:200]
                )
                created += 1
            elif (row.workday, row.name, row.source) != (entry.workday, entry.name, source[:200]):
                row.workday, row.name, row.source = entry.workday, entry.name, source[:200]
                await row.save()
                updated += 1
    return LoadSummary(
        years=tuple(sorted({e.day.year for e in entries})),
        holidays=sum(not e.workday for e in entries),
        workdays=sum(e.workday for e in entries),
        created=created,
        updated=updated,
    )


async def list_holidays(*, year: int | None = None) -> list[HolidayDay]:
    """Rows of the holiday table, by date, optionally for one year."""
    query = HolidayDay.all()
    if year is not None:
        query = query.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))
    return await query.order_by("day")


def provisional_days() -> dict[date, bool]:
    """The shipped provisional tables (``PROVISIONAL_FILES``) as day → working day."""
    return {e.day: e.workday for path in PROVISIONAL_FILES for e in read_holiday_file(path)}


async def load_calendar(*, today: date | None = None) -> WorkCalendar:
    """chinese-calendar, then the holiday table, then the shipped provisional tables; logs the
    December warning only when next year has no data at all."""
    rows = await HolidayDay.all().values_list("day", "workday")
    calendar = WorkCalendar(extra_days=dict(rows), provisional=provisional_days())
    today = today or date.today()
    warning = calendar.missing_next_year_warning(today)
    if warning:
        logger.warning(warning)
    notice = calendar.provisional_notice(today)
    if notice:
        logger.info(notice)
    return calendar
