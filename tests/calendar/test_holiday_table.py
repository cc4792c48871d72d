"""Holiday file parsing, the DB table on both backends, and the ``holidays`` command."""

from __future__ import annotations

import argparse
import logging
from datetime import date
from pathlib import Path

import pytest

import selfservice.calendar as cal
from selfservice.calendar import service
from selfservice.calendar.holiday_file import parse_holidays, read_holiday_file
from selfservice.calendar.models import HolidayDay
from selfservice.commands import holidays as command
from selfservice.errors import ValidationFailed

DATA_2027 = Path(cal.__file__).parent / "data" / "holidays_2027.csv"

GOOD_CSV = """# test notice
date,type,name
2028-01-01,holiday,元旦

2028-01-29,workday,春节调休上班
2028-02-01,holiday,春节
2028-02-01,holiday,春节
"""

BAD_CSV = """date,type,name
2028-01-01,holiday,元旦
2028-02-30,holiday,春节
2028-01-03,workday,周一不能调休
2028-01-01,workday,冲突
2028-05-01,vacation,劳动节
28-5-2,holiday,劳动节
"""


def test_parse_good_csv_with_comments_and_same_type_duplicates() -> None:
    entries = parse_holidays(GOOD_CSV)
    assert [(e.day, e.workday, e.line) for e in entries] == [
        (date(2028, 1, 1), False, 3),
        (date(2028, 1, 29), True, 5),
        (date(2028, 2, 1), False, 6),
    ]


def test_parse_bad_rows_reports_every_line() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_holidays(BAD_CSV)
    assert sorted(p["line"] for p in info.value.details) == [3, 4, 5, 6, 7]
    assert "nothing was written" in info.value.message_en


def test_parse_header_and_json() -> None:
    with pytest.raises(ValidationFailed):
        parse_holidays("day,kind,name\n2028-01-01,holiday,x\n")
    entries = parse_holidays(
        '[{"date": "2028-01-01", "type": "holiday", "name": "元旦"},'
        ' {"date": "2028-01-29", "type": "workday", "name": "调休"}]',
        fmt="json",
    )
    assert [e.workday for e in entries] == [False, True]
    with pytest.raises(ValidationFailed) as info:
        parse_holidays('[{"date": "2028-01-01", "type": "off"}]', fmt="json")
    assert info.value.details[0]["line"] == 1


def test_shipped_2027_table_is_valid() -> None:
    assert DATA_2027.read_text(encoding="utf-8").lower().count("provisional") >= 1
    entries = read_holiday_file(DATA_2027)
    assert {e.day.year for e in entries} == {2027}
    days = {e.day: e.workday for e in entries}
    assert days[date(2027, 2, 6)] is False  # 春节
    assert days[date(2027, 10, 9)] is True  # 国庆调休
    assert all(e.day.weekday() >= 5 for e in entries if e.workday)


async def test_save_is_idempotent_and_loads_calendar(database, caplog) -> None:
    entries = read_holiday_file(DATA_2027)
    first = await service.save_holidays(entries=entries, source="provisional", provisional=True)
    assert first.years == (2027,)
    assert (first.created, first.updated) == (len(entries), 0)
    assert first.workdays == 5 and first.holidays == len(entries) - 5
    again = await service.save_holidays(entries=entries, source="provisional", provisional=True)
    assert (again.created, again.updated) == (0, 0)
    assert await HolidayDay.all().count() == len(entries)
    calendar = await service.load_calendar(today=date(2026, 12, 3))
    assert calendar.is_estimated(date(2027, 3, 1))  # a provisional year stays estimated
    # the official notice replaces the provisional year whole: rows it lacks are dropped
    official = [e for e in entries if e.day != date(2027, 10, 7)]
    renamed = await service.save_holidays(
        entries=official, source="国办发明电〔2026〕", provisional=False
    )
    assert (renamed.created, renamed.updated) == (0, len(official))
    assert not await HolidayDay.filter(day=date(2027, 10, 7)).exists()
    year = (await service.list_years())[0]
    assert (year.year, year.source, year.provisional) == (2027, "国办发明电〔2026〕", False)
    with pytest.raises(ValidationFailed):  # a projection never overwrites a notice
        await service.save_holidays(entries=entries, source="provisional", provisional=True)

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        calendar = await service.load_calendar(today=date(2026, 12, 3))
    assert not calendar.is_estimated(date(2027, 3, 1))
    assert not calendar.is_working_day(date(2027, 10, 4))
    assert "2027" not in caplog.text
    rows = await service.list_holidays(year=2027)
    assert rows[0].day == date(2027, 1, 1)
    assert await service.list_holidays(year=2028) == []


async def test_shipped_provisional_2027_is_loaded_by_default(database, caplog) -> None:
    """No table loaded: 2027 runs on the shipped projection, still flagged estimated, no warning."""
    with caplog.at_level(logging.INFO, logger="selfservice.calendar.service"):
        calendar = await service.load_calendar(today=date(2026, 12, 1))
    assert calendar.provisional_years == frozenset({2027})
    assert calendar.is_estimated(date(2027, 1, 4))
    assert not calendar.is_working_day(date(2027, 10, 4))  # National Day week, per the projection
    assert calendar.is_working_day(date(2027, 2, 20))  # a projected 调休 Saturday
    due = calendar.deadline(date(2026, 12, 30), 2)
    assert (due.due, due.estimated) == (date(2027, 1, 4), True)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    assert "provisional" in caplog.text and "2027" in caplog.text


async def test_load_calendar_warns_in_december_when_next_year_missing(database, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="selfservice.calendar.service"):
        calendar = await service.load_calendar(today=date(2027, 12, 1))
    assert calendar.is_estimated(date(2028, 1, 4))
    assert "2028" in caplog.text and "2027" not in caplog.text


def _args(**kwargs) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    argv = kwargs.pop("argv")
    return parser.parse_args(argv)


@pytest.fixture
def cli_db(database, monkeypatch):
    """Point the command at the test database (it connects and closes on its own)."""
    from selfservice import db
    from selfservice.settings import load_settings

    settings = load_settings({"DATABASE_URL": database})
    monkeypatch.setattr(command, "get_settings", lambda: settings)
    return database, db


def _run_sync(args: argparse.Namespace) -> int:
    import concurrent.futures

    # run() calls asyncio.run, so it needs a thread without a running loop
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(command.run, args).result()


async def test_cli_load_list_check(cli_db, tmp_path, capsys) -> None:
    _, db = cli_db
    await db.close()
    assert _run_sync(_args(argv=["load", str(DATA_2027)])) == 0
    out = capsys.readouterr().out
    assert "2027" in out and "5 make-up" in out and "provisional" in out  # '# PROVISIONAL'
    assert "0 open case(s)" in out
    assert _run_sync(_args(argv=["load", str(DATA_2027)])) == 0
    assert "(0 new, 0 changed)" in capsys.readouterr().out
    assert _run_sync(_args(argv=["list", "--year", "2027"])) == 0
    assert "2027-10-09  workday" in capsys.readouterr().out
    assert _run_sync(_args(argv=["check", "--today", "2027-12-02"])) == 0
    out = capsys.readouterr().out
    assert "2027: PROVISIONAL (holiday table not official" in out
    assert "2028: ESTIMATED" in out and "WARNING" in out
    assert _run_sync(_args(argv=["check", "--today", "2026-12-02"])) == 0
    out = capsys.readouterr().out
    assert "2027: PROVISIONAL" in out and "WARNING" not in out  # a provisional table stays so

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV.replace("2028", "2029"), encoding="utf-8")
    assert _run_sync(_args(argv=["load", str(bad)])) == 1
    err = capsys.readouterr().err
    assert "line 3:" in err and "line 7:" in err
    await db.connect(cli_db[0])
    assert await HolidayDay.filter(day__gte=date(2029, 1, 1)).count() == 0
    assert await HolidayDay.all().count() == len(read_holiday_file(DATA_2027))


async def test_cli_check_names_the_provisional_year(cli_db, capsys) -> None:
    _, db = cli_db
    await db.close()
    assert _run_sync(_args(argv=["check", "--today", "2026-12-02"])) == 0
    out = capsys.readouterr().out
    assert "2027: PROVISIONAL" in out and "NOTE:" in out and "WARNING" not in out
    await db.connect(cli_db[0])


def test_cli_missing_table(tmp_path, monkeypatch, capsys) -> None:
    from selfservice.settings import load_settings

    settings = load_settings({"DATABASE_URL": f"sqlite://{tmp_path}/empty.sqlite3"})
    monkeypatch.setattr(command, "get_settings", lambda: settings)
    assert command.run(_args(argv=["list"])) == 1
    assert "selfservice migrate" in capsys.readouterr().err
