"""``selfservice holidays``: load, list and check the holiday table (years after 2026)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from tortoise.exceptions import DBConnectionError, OperationalError

from selfservice import db
from selfservice.calendar import service
from selfservice.calendar.holiday_file import is_provisional_file, read_holiday_file
from selfservice.calendar.workdays import chinese_calendar_knows
from selfservice.cases import clock
from selfservice.clock import Clock
from selfservice.errors import ValidationFailed
from selfservice.settings import get_settings

MISSING_TABLE = (
    "节假日表不存在，请先运行 `selfservice migrate`。 / "
    "The holiday table does not exist: run `selfservice migrate` first."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = sub.add_parser("load", help="load a holiday notice (CSV date,type,name or JSON list)")
    load.add_argument("file", type=Path)
    load.add_argument("--source", default="", help="notice reference stored with each day")
    load.add_argument(
        "--provisional",
        action="store_true",
        help="a projection, not the official notice: deadlines in its years stay estimated "
        "(implied when the file has a '# PROVISIONAL' comment)",
    )
    listing = sub.add_parser("list", help="print the holiday table")
    listing.add_argument("--year", type=int)
    check = sub.add_parser("check", help="which years are known or estimated; December warning")
    check.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    actions: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
        "load": _load,
        "list": _list,
        "check": _check,
    }
    if args.action == "load":
        try:
            entries = read_holiday_file(args.file)
        except OSError as exc:
            print(f"无法读取文件 / cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 1
        except ValidationFailed as exc:
            print(exc.message, file=sys.stderr)
            for problem in exc.details or []:
                print(f"  line {problem['line']}: {problem['error']}", file=sys.stderr)
            return 1
        args.entries = entries
        args.provisional = args.provisional or is_provisional_file(args.file)
    return asyncio.run(_connected(actions[args.action], args))


async def _connected(action: Callable[[argparse.Namespace], Awaitable[int]], args) -> int:
    await db.connect(get_settings().database_url)
    try:
        return await action(args)
    except (OperationalError, DBConnectionError) as exc:
        if "holiday_day" in str(exc) or "does not exist" in str(exc):
            print(MISSING_TABLE, file=sys.stderr)
            return 1
        raise
    finally:
        await db.close()


async def _load(args: argparse.Namespace) -> int:
    old = await service.load_calendar()
    try:
        summary = await service.save_holidays(
            entries=args.entries, source=args.source or args.file.name, provisional=args.provisional
        )
    except ValidationFailed as exc:
        print(exc.message, file=sys.stderr)
        return 1
    new = await service.load_calendar()
    recounted = await clock.recount_estimated(old=old, new=new)
    years = ", ".join(str(y) for y in summary.years)
    status = "预估（期限仍标注为估算） / provisional" if summary.provisional else "正式 / official"
    print(
        f"已导入 {years} 年：放假 {summary.holidays} 天，调休上班 {summary.workdays} 天"
        f"（新增 {summary.created}，更新 {summary.updated}） / "
        f"loaded {years}: {summary.holidays} holidays, {summary.workdays} make-up working days "
        f"({summary.created} new, {summary.updated} changed) [{status}]"
    )
    print(
        f"未办结案件中重新计算了 {recounted} 件的估算期限 / "
        f"{recounted} open case(s) with estimated deadlines recounted"
    )
    return 0


async def _list(args: argparse.Namespace) -> int:
    rows = await service.list_holidays(year=args.year)
    for year in await service.list_years():
        status = "provisional" if year.provisional else "official"
        if args.year in (None, year.year):
            print(f"# {year.year}: {status}, source {year.source}")
    for row in rows:
        kind = "workday" if row.workday else "holiday"
        print(f"{row.day.isoformat()}  {kind:<8} {row.name}  [{row.source}]")
    if not rows:
        print("节假日表为空 / the holiday table is empty")
    return 0


async def _check(args: argparse.Namespace) -> int:
    today = args.today or Clock().today()
    calendar = await service.load_calendar(today=today)
    for year in range(today.year - 1, today.year + 3):
        if chinese_calendar_knows(year):
            how = "known (chinese-calendar)"
        elif year in calendar.provisional_years:
            how = "PROVISIONAL (holiday table not official; deadlines flagged estimated)"
        elif year in calendar.table_years:
            how = "known (holiday table)"
        else:
            how = "ESTIMATED (Mon–Fri only)"
        print(f"{year}: {how}")
    warning = calendar.missing_next_year_warning(today)
    if warning:
        print(f"WARNING: {warning}")
    notice = calendar.provisional_notice(today)
    if notice:
        print(f"NOTE: {notice}")
    return 0
