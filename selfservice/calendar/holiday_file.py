"""Parse and validate a holiday notice file (CSV ``date,type,name`` or a JSON list)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from selfservice.errors import ValidationFailed

TYPES = {"holiday": False, "workday": True}
COLUMNS = ("date", "type", "name")
PROVISIONAL_MARK = "PROVISIONAL"


@dataclass(frozen=True)
class HolidayEntry:
    """One row of a holiday notice: ``workday`` is True for a 调休 make-up working day."""

    day: date
    workday: bool
    name: str
    line: int


def _entry(raw: dict[str, Any], line: int, errors: list[dict[str, Any]]) -> HolidayEntry | None:
    text = str(raw.get("date") or "").strip()
    kind = str(raw.get("type") or "").strip().lower()
    name = str(raw.get("name") or "").strip()
    problems = []
    try:
        day = date.fromisoformat(text)
        if len(text) != 10:
            raise ValueError(text)
    except ValueError:
        problems.append(f"invalid date {text!r} (expected YYYY-MM-DD)")
        day = None
    if kind not in TYPES:
        problems.append(f"unknown type {kind!r} (expected holiday or workday)")
    elif day is not None and TYPES[kind] and day.weekday() < 5:
        problems.append(f"{text} is a weekday; a 调休 make-up workday must fall on a weekend")
    if len(name) > 60:
        problems.append("name longer than 60 characters")
    if problems:
        errors.extend({"line": line, "error": p} for p in problems)
        return None
    return HolidayEntry(day=day, workday=TYPES[kind], name=name, line=line)


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    numbered = [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise ValidationFailed("节假日文件为空", "The holiday file is empty")
    header = [c.strip().lower() for c in next(csv.reader([numbered[0][1]]))]
    if tuple(header[:3]) != COLUMNS:
        raise ValidationFailed(
            "节假日文件表头应为 date,type,name",
            f"Line {numbered[0][0]}: the header must be date,type,name",
            details=[{"line": numbered[0][0], "error": "header must be date,type,name"}],
        )
    rows = []
    for n, line in numbered[1:]:
        cells = next(csv.reader([line]))
        rows.append((n, dict(zip(header, cells, strict=False))))
    return rows


def _json_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            "节假日文件不是有效的 JSON",
            f"Invalid JSON: {exc}",
            details=[{"line": exc.lineno, "error": exc.msg}],
        ) from None
    if not isinstance(data, list):
        raise ValidationFailed("JSON 应为列表", "The JSON file must be a list of {date,type,name}")
    return [(i, row if isinstance(row, dict) else {}) for i, row in enumerate(data, start=1)]


def parse_holidays(text: str, *, fmt: str = "csv") -> list[HolidayEntry]:
    """Every entry of the file, or ValidationFailed listing each bad row by line (JSON: item)."""
    rows = _json_rows(text) if fmt == "json" else _csv_rows(text)
    errors: list[dict[str, Any]] = []
    entries: dict[date, HolidayEntry] = {}
    for line, raw in rows:
        entry = _entry(raw, line, errors)
        if entry is None:
            continue
        seen = entries.get(entry.day)
        if seen is not None and seen.workday != entry.workday:
            errors.append({"line": line, "error": f"{entry.day} conflicts with line {seen.line}"})
            continue
        entries.setdefault(entry.day, entry)
    if errors:
        raise ValidationFailed(
            f"节假日文件有 {len(errors)} 处错误，未写入任何数据",
            f"{len(errors)} problem(s) in the holiday file; nothing was written",
            details=errors,
        )
    if not entries:
        raise ValidationFailed("节假日文件没有数据行", "The holiday file has no rows")
    return sorted(entries.values(), key=lambda e: e.day)


def read_holiday_file(path: Path) -> list[HolidayEntry]:
    """Parse ``path``; the format follows its suffix (``.json`` or CSV)."""
    fmt = "json" if path.suffix.lower() == ".json" else "csv"
    return parse_holidays(path.read_text(encoding="utf-8-sig"), fmt=fmt)


def is_provisional_file(path: Path) -> bool:
    """True when a CSV's comment lines declare it provisional (a projection, not a notice)."""
    text = path.read_text(encoding="utf-8-sig")
    comments = [ln for ln in text.splitlines() if ln.lstrip().startswith("#")]
    return any(PROVISIONAL_MARK in ln for ln in comments)
