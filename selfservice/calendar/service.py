"""Holiday table persistence and loading the process calendar from it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tortoise.transactions import in_transaction

from selfservice.calendar.holiday_file import HolidayEntry, read_holiday_file
from selfservice.calendar.models import HolidayDay, HolidayYear
from selfservice.calendar.workdays import WorkCalendar, set_calendar
from selfservice.clock import Clock
from selfservice.errors import ValidationFailed

logger = logging.getLogger(__name__)
PROVISIONAL_FILES = (Path(__file__).parent / "data" / "holidays_2027.csv",)
"""Shipped projections, used until the official notice for their year is loaded."""


@dataclass(frozen=True)
class LoadSummary:
    """What a holiday file load wrote."""

    years: tuple[int, ...]
    provisional: bool
    holidays: int
    workdays: int
    created: int
    updated: int


async def save_holidays(
    *, entries: Sequence[HolidayEntry], source: str, provisional: bool = False
) -> LoadSummary:
    """Upsert validated entries and their years' source and status in one transaction; loading
    the same file twice changes nothing. An official load replaces a provisional year whole."""
    created = updated = 0
    years = sorted({e.day.year for e in entries})
    async with in_transaction():
        for year in years:
            known = await HolidayYear.get_or_none(year=year)
            if known is not None and not known.provisional and provisional:
                raise ValidationFailed(
                    f"{year}年已有正式节假日安排，不能用预估表覆盖",
                    f"{year} already has an official holiday table; a provisional one cannot "
                    "replace it",
                    code="holiday_year_official",
                )
            if known is not None and known.provisional and not provisional:
                stale = HolidayDay.filter(
                    day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)
                ).exclude(day__in=[e.day for e in entries])
                await stale.delete()
            if known is None:
                await HolidayYear.create(year=year, source=source[:200], provisional=provisional)
            elif (known.source, known.provisional) != (source[:200], provisional):
                known.source, known.provisional = source[:200], provisional
                await known.save()
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
        years=tuple(years),
        provisional=provisional,
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


async def list_years() -> list[HolidayYear]:
    """Each year of the holiday table with its source and status."""
    return await HolidayYear.all().order_by("year")


def provisional_days() -> dict[date, bool]:
    """The shipped provisional tables (``PROVISIONAL_FILES``) as day → working day."""
    return {e.day: e.workday for path in PROVISIONAL_FILES for e in read_holiday_file(path)}


async def load_calendar(*, today: date | None = None) -> WorkCalendar:
    """chinese-calendar, then the holiday table, then the shipped provisional tables; logs the
    December warning only when next year has no data at all."""
    rows = await HolidayDay.all().values_list("day", "workday")
    years = dict(await HolidayYear.all().values_list("year", "provisional"))
    table = dict(rows)
    # the shipped projections count for years the table does not cover, flagged provisional
    shipped = {d: w for d, w in provisional_days().items() if d.year not in {x.year for x in table}}
    calendar = WorkCalendar(
        extra_days=table | shipped, years=years | dict.fromkeys({d.year for d in shipped}, True)
    )
    today = today or Clock().today()
    warning = calendar.missing_next_year_warning(today)
    if warning:
        logger.warning(warning)
    notice = calendar.provisional_notice(today)
    if notice:
        logger.info(notice)
    return calendar


async def refresh_calendar(*, today: date) -> WorkCalendar:
    """Reload the holiday table into the process calendar (a load by the CLI in another
    process is picked up) and log the December warning; the worker's daily pass."""
    calendar = await load_calendar(today=today)
    set_calendar(calendar)
    return calendar
